using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Allocator.Service.Tests;

/// <summary>A scratch folder with copies of the seed instances, and helpers to build and run real hosts in it.</summary>
public sealed class ServiceFixture : IDisposable
{
    public ServiceFixture()
    {
        Folder = Directory.CreateTempSubdirectory("allocator-service-").FullName;
        Output = Path.Combine(Folder, "out");
        History = Path.Combine(Folder, "history.db");
        Instance = Path.Combine(Folder, "tiny.json");
        File.Copy(Seed("tiny.json"), Instance);
    }

    public string Folder { get; }

    public string Output { get; }

    public string History { get; }

    public string Instance { get; }

    public string PlanFile => Path.Combine(Output, "tiny", "plan.json");

    public static string Seed(string name)
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "Allocator.sln")))
        {
            directory = directory.Parent;
        }

        return Path.Combine(directory!.FullName, "seeds", name);
    }

    /// <summary>The flags a run-once command line would give, plus any extra configuration keys.</summary>
    public Dictionary<string, string?> Flags(bool runOnce = true, params (string Key, string Value)[] extra)
    {
        var flags = new Dictionary<string, string?>
        {
            ["Nightly:Instances:0"] = Instance,
            ["Nightly:OutputDirectory"] = Output,
            ["Nightly:HistoryPath"] = History,
            ["Nightly:TimeLimitSeconds"] = "30",
            ["Nightly:Threads"] = "1",
            ["Nightly:RunOnce"] = runOnce ? "true" : "false",
        };
        foreach (var (key, value) in extra)
        {
            flags[key] = value;
        }

        return flags;
    }

    /// <summary>Runs one night in a real host and returns its report.</summary>
    public async Task<NightlyReport> RunOnce(params (string Key, string Value)[] extra)
    {
        var host = NightlyHost.Create(null, Flags(true, extra));
        var report = host.Services.GetRequiredService<NightlyReport>();
        await host.RunAsync();
        return report;
    }

    /// <summary>Rewrites the instance file with an edit applied to the tiny seed.</summary>
    public void EditInstance(Action<JsonNode> edit)
    {
        var node = JsonNode.Parse(File.ReadAllText(Seed("tiny.json")))!;
        edit(node);
        File.WriteAllText(Instance, node.ToJsonString());
    }

    public RunHistory OpenHistory() => RunHistory.Open(History);

    public void Dispose()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(Folder, recursive: true);
    }
}
