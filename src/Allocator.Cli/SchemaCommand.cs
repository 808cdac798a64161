using System.CommandLine;
using Allocator.Core.IO;
using Allocator.Core.Json;

namespace Allocator.Cli;

/// <summary><c>allocator schema instance|plan</c>: the JSON Schema of the contract's files, for editors.</summary>
internal static class SchemaCommand
{
    public static Command Create()
    {
        var kind = Choice.Of("--kind", "Which file's schema.", [("instance", FileKind.Kind.Instance), ("plan", FileKind.Kind.Plan)], FileKind.Kind.Instance);
        var output = new Option<string?>("--out") { Description = "File to write (default: standard output)." };
        var command = new Command("schema", HelpText.With(
            "Print the JSON Schema of an instance or a plan, generated from the contract types (docs/schema/ has both): point an editor at it and files are checked as they are typed. The reader ('allocator validate') remains the judge: it also checks ids, windows and chains.",
            "allocator schema --kind instance --out instance.schema.json",
            "allocator schema --kind plan"))
        {
            kind, output,
        };
        command.SetAction(parse =>
        {
            var text = ContractSchema.Text(parse.GetValue(kind)!.Value == FileKind.Kind.Plan ? ContractSchema.Plan() : ContractSchema.Instance());
            if (parse.GetValue(output) is not { } path)
            {
                Console.Out.Write(text);
                return ExitCodes.Success;
            }

            if (OutputFolder.FileProblem(path) is { } problem)
            {
                Console.Error.WriteLine($"error: --out {problem}. Nothing was written.");
                return ExitCodes.InvalidInput;
            }

            AtomicFile.WriteAllText(path, text);
            Console.Error.WriteLine($"Wrote {path}.");
            return ExitCodes.Success;
        });
        return command;
    }
}
