using System.Diagnostics;
using Allocator.Core.Generation;
using Allocator.Core.Json;
using Allocator.Kernels;
using Allocator.Planning.Policies;
using Allocator.Solver;
using SkiaSharp;

namespace Allocator.Lab.Tests;

/// <summary>report.html opened in a real headless browser (Debian's chromium): it renders, tables and charts included.</summary>
public sealed class ReportTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("allocator-report-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public void The_report_renders_in_a_headless_browser_with_its_tables_and_charts()
    {
        using var scorer = BulkScorer.Create(ScoringDevice.Cpu);
        var path = Path.Combine(_folder, "lab.json");
        File.WriteAllText(path, InstanceWriter.Write(InstanceGenerator.Generate(new GeneratorOptions(2, 10, 4, 6, 4, Uncertainty: true))));
        var settings = new PolicySettings(new PlannerOptions { Threads = 1 }, scorer, TimeSpan.FromSeconds(20));
        var policies = new[] { "exact", "greedy", "split:0.3" }.Select(p => PolicySpec.Parse(p, settings)).ToList();
        var request = new ComparisonRequest([path], policies, "exact", 200, 1);
        var comparison = Assert.Single(PolicyComparison.Run(request, scorer));
        var charts = ComparisonCharts.Of(comparison, "exact");
        var html = ComparisonReport.Html(request, [(comparison, charts)], scorer.Description);
        var page = Path.Combine(_folder, "report.html");
        File.WriteAllText(page, html);

        var screenshot = Screenshot(page, 1200, 1600);

        // Distribution, frontier, differences, and one chart of GPUs over time per pool (the instance has two).
        Assert.Equal(3 + 2, charts.Count);
        Assert.Contains("<td>split:0.3</td>", html, StringComparison.Ordinal);
        Assert.Equal(3 + 2, html.Split("data:image/png;base64,").Length - 1);
        using var image = SKBitmap.Decode(screenshot);
        Assert.Equal((1200, 1600), (image.Width, image.Height));
        var pixels = image.Pixels;
        var inked = pixels.Count(p => p.Red < 200 || p.Green < 200 || p.Blue < 200);
        var colours = pixels.Select(p => (p.Red / 16, p.Green / 16, p.Blue / 16)).Distinct().Count();
        Assert.True(inked > pixels.Length / 100, $"only {inked} of {pixels.Length} pixels carry ink: the page did not render");
        Assert.True(colours > 40, $"only {colours} colours: the charts did not render");
        File.Copy(Path.Combine(_folder, "screenshot.png"), Path.Combine(Path.GetTempPath(), "allocator-report-screenshot.png"), overwrite: true);
    }

    [Fact]
    public void The_simulation_report_renders_with_its_table_value_chart_and_decisions_timeline()
    {
        var instance = new Core.Evaluation.CompiledInstance(InstanceGenerator.Generate(new GeneratorOptions(3, 16, 6, 8, 4, Uncertainty: true) { AnnouncedShare = 0.4 }));
        var request = new SimulationRequest(instance, [new("static:greedy", new Core.Policies.GreedyPolicy(), Static: true), new("greedy", new Core.Policies.GreedyPolicy(), Static: false)], 8, 3, 2) { ShownScenario = 5 };
        var result = Simulation.Run(request);
        var charts = SimulationReport.Charts(result);
        var page = Path.Combine(_folder, "simulation.html");
        File.WriteAllText(page, SimulationReport.Html(result, charts));

        var screenshot = Screenshot(page, 1200, 1400);

        Assert.Equal(["value-over-time", "decisions"], charts.Select(c => c.Name));
        var html = File.ReadAllText(page);
        Assert.Contains("<td>static:greedy</td>", html, StringComparison.Ordinal);
        Assert.Contains("decisions in scenario 5", html, StringComparison.Ordinal);
        Assert.Equal(2, html.Split("data:image/png;base64,").Length - 1);
        using var image = SKBitmap.Decode(screenshot);
        var pixels = image.Pixels;
        Assert.True(pixels.Count(p => p.Red < 200 || p.Green < 200 || p.Blue < 200) > pixels.Length / 100, "the page did not render");
        Assert.True(pixels.Select(p => (p.Red / 16, p.Green / 16, p.Blue / 16)).Distinct().Count() > 20, "the charts did not render");
    }

    /// <summary>Chromium's own screenshot of <paramref name="page"/>, as PNG bytes.</summary>
    private byte[] Screenshot(string page, int width, int height)
    {
        var browser = new[] { "chromium", "chromium-browser" }.Select(Which).FirstOrDefault(p => p is not null)
            ?? throw new InvalidOperationException("No chromium on PATH: install Debian's chromium (.ci/run does).");
        var png = Path.Combine(_folder, "screenshot.png");
        var start = new ProcessStartInfo(browser) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var arg in new[] { "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars", $"--window-size={width},{height}", $"--screenshot={png}", new Uri(page).AbsoluteUri })
        {
            start.ArgumentList.Add(arg);
        }

        using var process = Process.Start(start)!;
        var output = process.StandardError.ReadToEndAsync();
        _ = process.StandardOutput.ReadToEndAsync();
        Assert.True(process.WaitForExit(TimeSpan.FromSeconds(90)), "chromium did not finish in 90 s");
        Assert.True(File.Exists(png), $"chromium wrote no screenshot: {output.Result}");
        return File.ReadAllBytes(png);
    }

    private static string? Which(string name) => (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':')
        .Select(folder => Path.Combine(folder, name)).FirstOrDefault(File.Exists);
}
