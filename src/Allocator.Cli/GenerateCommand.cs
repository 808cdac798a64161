using System.CommandLine;
using System.Globalization;
using Allocator.Core.Generation;
using Allocator.Core.IO;
using Allocator.Core.Json;

namespace Allocator.Cli;

/// <summary><c>allocator generate</c>: random instances of any size, valid and feasible by construction.</summary>
internal static class GenerateCommand
{
    public static Command Create()
    {
        var pools = new Option<int>("--pools") { Description = "Number of GPU pools.", DefaultValueFactory = _ => 6 };
        var leases = new Option<int>("--leases") { Description = "Number of leases (about 8% signed, the rest offers).", DefaultValueFactory = _ => 120 };
        var jobs = new Option<int>("--jobs") { Description = "Number of training jobs (pretrain and post-train chains).", DefaultValueFactory = _ => 20 };
        var periods = new Option<int>("--periods") { Description = "Number of weekly periods.", DefaultValueFactory = _ => 26 };
        var seed = new Option<ulong>("--seed") { Description = "Random seed; same options and seed, same instance.", DefaultValueFactory = _ => 1 };
        var uncertainty = new Option<bool>("--uncertainty") { Description = "Add an uncertainty section (slips, outages, overruns, job success, spot moves)." };
        var hard = new Option<bool>("--hard") { Description = "The hard case for a first plan: half the leases signed, with flexible windows and several allowed pools, some jobs required, pools filled to 97% and sites to their power caps by commitments." };
        var announced = new Option<double>("--announced-share") { Description = "Share of the offers that could start after period 0 that are announced later (announcedAt; closed loop). With --uncertainty they arrive with probability 0.6.", DefaultValueFactory = _ => 0 };
        var milestones = new Option<double>("--milestone-share") { Description = "Share of the jobs of two periods or more whose outcome is known at a milestone (successKnownAfter).", DefaultValueFactory = _ => 0 };
        var name = new Option<string?>("--name") { Description = "Instance name (default names the sizes and seed)." };
        var output = new Option<string?>("--out") { Description = "File to write (default: standard output)." };
        var command = new Command("generate", HelpText.With("Generate a random instance of any size for tests, benchmarks and research; the same options and seed give the same file.", "allocator generate --pools 6 --leases 120 --jobs 20 --periods 26 --seed 1 --out mid.json", "allocator generate --hard --uncertainty --seed 3 --out hard.json", "allocator generate --uncertainty --announced-share 0.2 --milestone-share 0.3 --out closed-loop.json"))
        {
            pools, leases, jobs, periods, seed, uncertainty, hard, announced, milestones, name, output,
        };
        command.SetAction(parse =>
        {
            var options = new GeneratorOptions(
                parse.GetValue(pools), parse.GetValue(leases), parse.GetValue(jobs), parse.GetValue(periods),
                parse.GetValue(seed), parse.GetValue(uncertainty), parse.GetValue(name), parse.GetValue(hard))
            {
                AnnouncedShare = parse.GetValue(announced),
                MilestoneShare = parse.GetValue(milestones),
            };
            if (!PlanCommand.OptionsAreValid(
                ("--pools", options.Pools < 1 ? $"must be at least 1 (it is {options.Pools})" : null),
                ("--leases", options.Leases < 0 ? $"must be 0 or more (it is {options.Leases})" : null),
                ("--jobs", options.Jobs < 0 ? $"must be 0 or more (it is {options.Jobs})" : null),
                ("--periods", options.Periods < 2 ? $"must be at least 2 (it is {options.Periods})" : null),
                ("--announced-share", Share(options.AnnouncedShare)),
                ("--milestone-share", Share(options.MilestoneShare)),
                ("--out", parse.GetValue(output) is { } destination ? OutputFolder.FileProblem(destination) : null)))
            {
                return ExitCodes.InvalidInput;
            }

            var json = InstanceWriter.Write(InstanceGenerator.Generate(options));
            if (parse.GetValue(output) is { } path)
            {
                AtomicFile.WriteAllText(path, json);
                Console.Error.WriteLine($"wrote {path}");
            }
            else
            {
                Console.Out.Write(json);
            }

            return ExitCodes.Success;
        });
        return command;
    }

    private static string? Share(double share) =>
        share is < 0 or > 1 ? $"is a share: it must lie between 0 and 1 (it is {share.ToString(CultureInfo.InvariantCulture)})" : null;
}
