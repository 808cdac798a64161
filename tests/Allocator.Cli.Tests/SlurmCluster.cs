using System.Diagnostics;

namespace Allocator.Cli.Tests;

/// <summary>
/// A real single-node Slurm cluster for one test (Debian's slurm-wlm and munge, run as root): munged if none runs, then
/// slurmctld and slurmd in the foreground under a generated slurm.conf in a scratch folder. What this starts it stops,
/// by its process, when disposed.
/// </summary>
internal sealed class SlurmCluster : IDisposable
{
    private readonly List<Process> _started = [];
    private int? _munged;

    public SlurmCluster(string folder)
    {
        Folder = folder;
        foreach (var tool in new[] { "munged", "slurmctld", "slurmd", "sbatch", "sinfo" })
        {
            if (Which(tool) is null)
            {
                throw new InvalidOperationException($"{tool} is not installed: install Debian's slurm-wlm and munge (.ci/run does).");
            }
        }

        Config = Path.Combine(folder, "slurm.conf");
        WriteConfig();
        StartMunge();
        _started.Add(Start("slurmctld", "-D", "-f", Config));
        _started.Add(Start("slurmd", "-D", "-f", Config));
        WaitUntilIdle();
    }

    /// <summary>The cluster's folder (state, spool, logs).</summary>
    public string Folder { get; }

    /// <summary>Its slurm.conf (commands find it through SLURM_CONF).</summary>
    public string Config { get; }

    /// <summary>Runs a Slurm command against this cluster; returns its exit code and output.</summary>
    public (int ExitCode, string Output) Run(string command, params string[] args)
    {
        var start = new ProcessStartInfo(Which(command)!) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false, WorkingDirectory = Folder };
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        start.Environment["SLURM_CONF"] = Config;
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        process.WaitForExit();
        return (process.ExitCode, stdout.Result + stderr.Result);
    }

    public void Dispose()
    {
        foreach (var process in Enumerable.Reverse(_started))
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
                process.WaitForExit(10_000);
            }

            process.Dispose();
        }

        if (_munged is { } pid)
        {
            try
            {
                using var munged = Process.GetProcessById(pid);
                munged.Kill();
            }
            catch (ArgumentException)
            {
                // Already gone.
            }
        }
    }

    private void WriteConfig()
    {
        var host = Environment.MachineName;
        foreach (var sub in new[] { "state", "spool", "log" })
        {
            Directory.CreateDirectory(Path.Combine(Folder, sub));
        }

        File.WriteAllText(Config, $"""
            ClusterName=allocator-test
            SlurmctldHost={host}
            SlurmUser=root
            AuthType=auth/munge
            ProctrackType=proctrack/linuxproc
            TaskPlugin=task/none
            SelectType=select/cons_tres
            SelectTypeParameters=CR_Core
            StateSaveLocation={Folder}/state
            SlurmdSpoolDir={Folder}/spool
            SlurmctldPidFile={Folder}/slurmctld.pid
            SlurmdPidFile={Folder}/slurmd.pid
            SlurmctldLogFile={Folder}/log/slurmctld.log
            SlurmdLogFile={Folder}/log/slurmd.log
            ReturnToService=2
            NodeName={host} CPUs={Environment.ProcessorCount} State=UNKNOWN
            PartitionName=main Nodes={host} Default=YES MaxTime=INFINITE State=UP

            """);
    }

    /// <summary>munged needs its key and socket folder; one that already runs (its pid file names a live process) is used as it is.</summary>
    private void StartMunge()
    {
        if (MungedPid() is not null)
        {
            return;
        }

        if (!File.Exists("/etc/munge/munge.key"))
        {
            Start("mungekey", "--create").WaitForExit();
        }

        Directory.CreateDirectory("/run/munge");
        Start("chown", "munge:munge", "/run/munge").WaitForExit();
        Start("munged", "--force").WaitForExit();
        _munged = MungedPid();
    }

    /// <summary>The pid in munged's pid file when that process is alive (not a zombie), else null.</summary>
    private static int? MungedPid()
    {
        const string pidFile = "/run/munge/munged.pid";
        if (!File.Exists(pidFile) || !int.TryParse(File.ReadAllText(pidFile).Trim(), out var pid))
        {
            return null;
        }

        var status = $"/proc/{pid}/status";
        return File.Exists(status) && !File.ReadAllText(status).Contains("State:\tZ", StringComparison.Ordinal) ? pid : null;
    }

    private void WaitUntilIdle()
    {
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < TimeSpan.FromSeconds(60))
        {
            if (Run("sinfo", "-h", "-o", "%T") is (0, var state) && state.Contains("idle", StringComparison.Ordinal))
            {
                return;
            }

            Thread.Sleep(500);
        }

        throw new InvalidOperationException($"the Slurm node did not come up in 60 s; see {Folder}/log.");
    }

    private static Process Start(string command, params string[] args)
    {
        var start = new ProcessStartInfo(Which(command) ?? command) { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        var process = Process.Start(start)!;
        _ = process.StandardOutput.ReadToEndAsync();
        _ = process.StandardError.ReadToEndAsync();
        return process;
    }

    private static string? Which(string name) => (Environment.GetEnvironmentVariable("PATH") + ":/usr/sbin:/sbin").Split(':')
        .Select(folder => Path.Combine(folder, name)).FirstOrDefault(File.Exists);
}
