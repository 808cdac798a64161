using Allocator.Core.Contract;

namespace Allocator.Core.Json;

/// <summary>Reads an input file's text, turning an unreadable file into a contract problem like any other.</summary>
public static class InputText
{
    /// <summary>The text of the file at <paramref name="path"/>; throws <see cref="ContractException"/> when it cannot be read.</summary>
    public static string Read(string path)
    {
        try
        {
            return File.ReadAllText(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new ContractException(path, [new ContractProblem("$", $"cannot read the file: {e.Message}")]);
        }
    }
}
