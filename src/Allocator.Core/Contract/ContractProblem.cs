namespace Allocator.Core.Contract;

/// <summary>One thing wrong with an input file: where (a JSON path such as <c>$.leases[2].gpus</c>) and what to do.</summary>
public sealed record ContractProblem(string Path, string Message)
{
    /// <inheritdoc />
    public override string ToString() => $"{Path}: {Message}";
}

/// <summary>Raised when an input file breaks the contract; carries every problem found, not only the first.</summary>
public sealed class ContractException : Exception
{
    /// <summary>Creates the exception for the problems found in <paramref name="source"/>.</summary>
    public ContractException(string source, IReadOnlyList<ContractProblem> problems)
        : base(FormatMessage(source, problems))
    {
        Source = source;
        Problems = problems;
    }

    /// <summary>The problems, in the order they were found.</summary>
    public IReadOnlyList<ContractProblem> Problems { get; }

    private static string FormatMessage(string source, IReadOnlyList<ContractProblem> problems) =>
        $"{source} is not valid ({problems.Count} problem{(problems.Count == 1 ? "" : "s")}):"
        + string.Concat(problems.Select(p => Environment.NewLine + "  " + p));
}
