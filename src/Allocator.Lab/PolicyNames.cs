using System.Text;

namespace Allocator.Lab;

/// <summary>How a policy's name (<c>split:0.3</c>, <c>robust:cvar:0.05:0.5</c>) names its files and folders.</summary>
public static class PolicyNames
{
    /// <summary>Letters, digits, '.', '-' and '_' kept, anything else (the ':' of split:0.3) written '_'.</summary>
    public static string AsFileName(string policy)
    {
        ArgumentNullException.ThrowIfNull(policy);
        var name = new StringBuilder(policy.Length);
        foreach (var c in policy)
        {
            name.Append(char.IsAsciiLetterOrDigit(c) || c is '.' or '-' or '_' ? c : '_');
        }

        return name.ToString();
    }
}
