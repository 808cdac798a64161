using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using Allocator.Core.Evaluation;
using Allocator.Core.Json;
using Allocator.Solver;

// The exact planner against a plain solve of the same model (SCIP's concurrent solvers on the same threads, no greedy
// start, no neighbourhoods), one after the other on the same machine:
//   compare INSTANCE LIMIT_SECONDS OUT_DIR [THREADS]   both, then OUT_DIR/NAME.json and OUT_DIR/NAME.png
//   plain INSTANCE LIMIT_SECONDS THREADS               the plain solve with SCIP's log on standard output (run by compare)
//   draw NAME.json NAME.png                            the picture again from a compare run's JSON
//   single INSTANCE LIMIT_SECONDS SEED default|resume  one-thread SCIP with one seed (and the race's resume settings)
// The plain solve runs in a child process so that SCIP's log, which it prints itself, can be read line by line: its
// primal and dual bounds over time are the plain solve's curve.
return args switch
{
    ["draw", var json, var png] => Redraw(json, png),
    ["single", var path, var limit, var seed, "default"] => Single(path, Seconds(limit), int.Parse(seed, CultureInfo.InvariantCulture), false),
    ["single", var path, var limit, var seed, "resume"] => Single(path, Seconds(limit), int.Parse(seed, CultureInfo.InvariantCulture), true),
    ["plain", var path, var limit, var threads] => Plain(path, Seconds(limit), int.Parse(threads, CultureInfo.InvariantCulture)),
    ["compare", var path, var limit, var folder] => Compare(path, Seconds(limit), folder, 2),
    ["compare", var path, var limit, var folder, var threads] => Compare(path, Seconds(limit), folder, int.Parse(threads, CultureInfo.InvariantCulture)),
    _ => Usage(),
};

static int Redraw(string json, string png)
{
    var run = JsonSerializer.Deserialize<SavedRun>(File.ReadAllText(json), new JsonSerializerOptions { PropertyNameCaseInsensitive = true })!;
    Chart.Draw(run.Instance, TimeSpan.FromSeconds(run.LimitSeconds), run.Planner, run.Plain, png);
    return 0;
}

static TimeSpan Seconds(string text) => TimeSpan.FromSeconds(double.Parse(text, CultureInfo.InvariantCulture));

static int Usage()
{
    Console.Error.WriteLine("usage: compare INSTANCE LIMIT_SECONDS OUT_DIR [THREADS] | plain INSTANCE LIMIT_SECONDS THREADS | draw NAME.json NAME.png | single INSTANCE LIMIT_SECONDS SEED default|resume");
    return 2;
}

static int Plain(string path, TimeSpan limit, int threads)
{
    var instance = new CompiledInstance(InstanceReader.ReadFile(path));
    var clock = Stopwatch.StartNew();
    var model = new MipModel(new PlacementCatalog(instance));
    var result = ConcurrentScip.Solve(model, new PlannerOptions { TimeLimit = limit, Threads = threads }, limit, CancellationToken.None, engineLog: true);
    var objective = result.Assignment is { } plan ? PlanEvaluator.Evaluate(instance, plan).Objective.Total : (double?)null;
    Console.Out.Flush();
    Console.WriteLine("RESULT " + JsonSerializer.Serialize(new Outcome(result.Status.ToString(), clock.Elapsed.TotalSeconds, objective, result.Bound, [])));
    return 0;
}

// One-thread SCIP on the model with one seed, optionally with the race's resume settings: how far proof times spread
// from seed to seed (the race's racers are such solves), and what those settings cost on their own.
static int Single(string path, TimeSpan limit, int seed, bool resumeSettings)
{
    var instance = new CompiledInstance(InstanceReader.ReadFile(path));
    var clock = Stopwatch.StartNew();
    var model = new MipModel(new PlacementCatalog(instance));
    using var solver = Google.OrTools.LinearSolver.Solver.CreateSolver("SCIP")
        ?? throw new InvalidOperationException("OR-Tools has no SCIP solver on this platform.");
    ConcurrentScip.Copy(model, solver);
    solver.SetNumThreads(1);
    solver.SetTimeLimit((long)limit.TotalMilliseconds);
    var options = new PlannerOptions { TimeLimit = limit, Seed = seed };
    ConcurrentScip.SetParameters(solver, ExactPlanner.ScipParameters(options, 0, null).Concat(resumeSettings ? ScipRace.ResumeSettings : []));
    var status = solver.Solve();
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
        $"| {Path.GetFileNameWithoutExtension(path)} | {seed} | {(resumeSettings ? "resume" : "default")} | {status} | {clock.Elapsed.TotalSeconds:0.00} | {solver.Nodes()} |"));
    return 0;
}

static int Compare(string path, TimeSpan limit, string folder, int threads)
{
    Directory.CreateDirectory(folder);
    var name = Path.GetFileNameWithoutExtension(path);
    var instance = new CompiledInstance(InstanceReader.ReadFile(path));
    var planned = ExactPlanner.Solve(instance, new PlannerOptions { TimeLimit = limit, Threads = threads });
    var planner = new Outcome(
        planned.Status.ToString(), planned.Elapsed.TotalSeconds, planned.Objective, planned.Bound,
        [.. planned.Progress.Select(p => new Point(p.Elapsed.TotalSeconds, p.Objective, p.Bound, p.Source))]);
    var plain = RunPlain(path, limit, threads);
    File.WriteAllText(Path.Combine(folder, name + ".json"), JsonSerializer.Serialize(new { instance = name, limitSeconds = limit.TotalSeconds, threads, planner, plain }, new JsonSerializerOptions { WriteIndented = true }));
    Chart.Draw(name, limit, planner, plain, Path.Combine(folder, name + ".png"));
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
        $"| {name} | {limit.TotalSeconds:0} | {planner.Status} {planner.Seconds:0.0} s {planner.Objective:N0} ({Gap(planner)}) | {plain.Status} {plain.Seconds:0.0} s {plain.Objective:N0} ({Gap(plain)}) |"));
    return 0;
}

static string Gap(Outcome o) => o.Objective is { } v && o.Bound is { } b ? string.Create(CultureInfo.InvariantCulture, $"{Math.Max(0, (b - v) / v):P3}") : "no bound";

// SCIP's log table: the header names the columns, and each row starts with the seconds ("$" or "*" marks a new plan).
static Outcome RunPlain(string path, TimeSpan limit, int threads)
{
    var self = Environment.ProcessPath!;
    var start = new ProcessStartInfo(self) { RedirectStandardOutput = true, UseShellExecute = false };
    foreach (var a in new[] { "plain", path, limit.TotalSeconds.ToString(CultureInfo.InvariantCulture), threads.ToString(CultureInfo.InvariantCulture) })
    {
        start.ArgumentList.Add(a);
    }

    using var child = Process.Start(start)!;
    var points = new List<Point>();
    string[]? columns = null;
    Outcome? outcome = null;
    while (child.StandardOutput.ReadLine() is { } line)
    {
        if (line.StartsWith("RESULT ", StringComparison.Ordinal))
        {
            outcome = JsonSerializer.Deserialize<Outcome>(line["RESULT ".Length..]);
        }
        else if (line.Contains("dualbound", StringComparison.Ordinal) && line.Contains('|', StringComparison.Ordinal))
        {
            columns = [.. line.Split('|').Select(c => c.Trim())];
        }
        else if (columns is not null && Row().Match(line) is { Success: true } row)
        {
            var cells = line.Split('|').Select(c => c.Trim()).ToArray();
            var dual = Number(cells, columns, "dualbound");
            var primal = Number(cells, columns, "primalbound");
            if (primal is { } p)
            {
                points.Add(new Point(double.Parse(row.Groups[1].Value, CultureInfo.InvariantCulture), p * 1e6, dual * 1e6, null));
            }
        }
    }

    child.WaitForExit();
    return (outcome ?? throw new InvalidOperationException("the plain solve gave no result")) with { Points = points };
}

static double? Number(string[] cells, string[] columns, string column)
{
    var i = Array.IndexOf(columns, column);
    return i >= 0 && i < cells.Length && double.TryParse(cells[i], NumberStyles.Float, CultureInfo.InvariantCulture, out var v) ? v : null;
}

/// <summary>A plan held at a moment, with the bound then; for the planner, who found it (SCIP, a neighbourhood, ...).</summary>
internal sealed record Point(double Seconds, double Objective, double? Bound, string? Source);

internal sealed record SavedRun(string Instance, double LimitSeconds, Outcome Planner, Outcome Plain);

internal sealed record Outcome(string Status, double Seconds, double? Objective, double? Bound, IReadOnlyList<Point> Points);

internal partial class Program
{
    [GeneratedRegex(@"^[ $*]?\s*([0-9.]+)s\|")]
    private static partial Regex Row();
}
