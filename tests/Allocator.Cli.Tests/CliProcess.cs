using System.Diagnostics;

namespace Allocator.Cli.Tests;

/// <summary>Runs the real <c>allocator</c> executable built beside the tests, as a planner would.</summary>
internal static class CliProcess
{
    public static (int ExitCode, string Stdout, string Stderr) Run(params string[] args) => RunWith([], args);

    /// <summary><see cref="Run"/> with these variables added to the environment.</summary>
    public static (int ExitCode, string Stdout, string Stderr) RunWith((string Name, string Value)[] environment, params string[] args)
    {
        var dll = Path.Combine(AppContext.BaseDirectory, "allocator.dll");
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add(dll);
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        start.Environment["NO_COLOR"] = "1";
        foreach (var (name, value) in environment)
        {
            start.Environment[name] = value;
        }

        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        process.WaitForExit();
        return (process.ExitCode, stdout.Result, stderr.Result);
    }

    /// <summary>
    /// Starts the executable, waits until standard error shows <paramref name="ready"/>, lets it work for
    /// <paramref name="delay"/>, sends SIGTERM as a service manager would, and waits for it to exit.
    /// </summary>
    public static Task<(int ExitCode, string Stderr)> RunAndTerminate(string ready, TimeSpan delay, params string[] args) =>
        RunAndTerminate(ready, delay, TimeSpan.FromSeconds(60), args);

    /// <summary>
    /// <see cref="RunAndTerminate(string, TimeSpan, string[])"/>, failing with a <see cref="TimeoutException"/> when the
    /// process has not exited within <paramref name="exitWithin"/> of the SIGTERM.
    /// </summary>
    public static async Task<(int ExitCode, string Stderr)> RunAndTerminate(string ready, TimeSpan delay, TimeSpan exitWithin, params string[] args)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "allocator.dll"));
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        start.Environment["NO_COLOR"] = "1";
        using var process = Process.Start(start)!;
        var seen = new TaskCompletionSource();
        var stderr = new System.Text.StringBuilder();
        process.ErrorDataReceived += (_, e) =>
        {
            lock (stderr)
            {
                stderr.AppendLine(e.Data);
            }

            if (e.Data?.Contains(ready, StringComparison.Ordinal) == true)
            {
                seen.TrySetResult();
            }
        };
        process.BeginErrorReadLine();
        var stdout = process.StandardOutput.ReadToEndAsync();
        await seen.Task.WaitAsync(TimeSpan.FromSeconds(60));
        await Task.Delay(delay);
        using (var kill = Process.Start("kill", ["-TERM", process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]))
        {
            await kill.WaitForExitAsync();
        }

        await process.WaitForExitAsync().WaitAsync(exitWithin);
        await stdout;
        lock (stderr)
        {
            return (process.ExitCode, stderr.ToString());
        }
    }

    public static string RepositoryRoot { get; } = FindRoot();

    public static string Seed(string name) => Path.Combine(RepositoryRoot, "seeds", name);

    private static string FindRoot()
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "Allocator.sln")))
        {
            directory = directory.Parent;
        }

        return directory!.FullName;
    }
}
