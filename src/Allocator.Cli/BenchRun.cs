using Allocator.Core.Evaluation;
using Allocator.Kernels;
using Spectre.Console;

namespace Allocator.Cli;

/// <summary>One measurement of <c>allocator bench</c>: a device word with its precision and variant.</summary>
internal sealed record BenchStep(string Word, ScoringPrecision Precision, KernelState State, LaneWidth? Lanes, int? Residency)
{
    /// <summary>How the step is named on the error stream and in the JSON's <c>skipped</c>.</summary>
    public string Label =>
        Word == "reference" ? "reference"
        : $"{Word}, {ScoringArithmetic.Word(Precision)} precision"
          + (State == KernelState.Auto ? string.Empty : $", state in {BenchCommand.StateWords.First(w => w.State == State).Word} memory")
          + (Residency is { } threads ? $", {threads} threads per multiprocessor" : string.Empty)
          + (Word != "cpu" ? string.Empty : Lanes is null ? ", scalar" : $", SIMD {BenchCommand.CpuPathWords.First(w => w.Width == Lanes).Word}");
}

/// <summary>
/// How one device's step is measured: its figures, or null where the device is absent or fails to start (said through
/// <paramref name="warn"/>). <see cref="BenchCommand.Measure"/> opens the device and scores.
/// </summary>
internal delegate (ScorerSpeed Speed, ScoreMatrix Scores)? DeviceMeasure(
    string word, ScorerOptions options, CompiledInstance instance, List<Assignment> candidates, int plans, int scenarios, ScoreMatrix? doublePath, Action<string> warn, CancellationToken stop);

/// <summary>
/// The steps of one <c>allocator bench</c> in order, and what came of them: the rows measured, and what was asked for and
/// not measured, with why (a device absent or failing to start, one failing while it scores, a stop), said on the error
/// stream as it happens. The measuring is <see cref="BenchCommand.Measure"/> unless another is given: no device here
/// fails while it scores, so the tests hand in one that does.
/// </summary>
internal sealed class BenchRun(CompiledInstance instance, List<Assignment> candidates, int plans, int scenarios, CancellationToken stop, DeviceMeasure? measure = null)
{
    private const string Stopped = "not measured: the run was stopped (SIGTERM or Ctrl-C)";

    private readonly Dictionary<string, ScoreMatrix> _doublePath = [];
    private readonly Dictionary<string, string> _absent = [];

    public IAnsiConsole Errors { get; } = Terminal.Errors();

    public List<ScorerSpeed> Rows { get; } = [];

    /// <summary>Steps that failed while their device scored, and how.</summary>
    public List<(string Step, string Reason)> Failed { get; } = [];

    /// <summary>Steps a stop (SIGTERM, Ctrl-C) left unmeasured.</summary>
    public List<string> Interrupted { get; } = [];

    /// <summary>Everything asked for and not measured, with why.</summary>
    public IEnumerable<(string Asked, string Reason)> Skipped =>
        _absent.Select(a => (a.Key, a.Value)).Concat(Failed).Concat(Interrupted.Select(i => (i, Stopped)));

    /// <summary>Runs every step: a bar on a terminal, one line per step when the output is piped or logged.</summary>
    public void MeasureAll(List<BenchStep> steps)
    {
        if (Errors.Profile.Capabilities.Interactive)
        {
            Errors.Progress().AutoClear(true).Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new ElapsedTimeColumn()).Start(progress =>
            {
                var bar = progress.AddTask("measuring", maxValue: steps.Count);
                foreach (var step in steps)
                {
                    bar.Description = Markup.Escape($"measuring {step.Label}");
                    MeasureUnlessStopped(step, announce: false);
                    bar.Increment(1);
                }
            });
        }
        else
        {
            steps.ForEach(step => MeasureUnlessStopped(step, announce: true));
        }
    }

    /// <summary>
    /// A stop ends the step in progress at its next call of the scorer (<see cref="ScoringBenchmark.Measure"/>); it and
    /// the steps after it are listed as not measured, while the rows before it stand.
    /// </summary>
    private void MeasureUnlessStopped(BenchStep step, bool announce)
    {
        if (_absent.ContainsKey(step.Word))
        {
            return;
        }

        if (Interrupted.Count == 0 && !stop.IsCancellationRequested)
        {
            try
            {
                if (announce)
                {
                    Errors.MarkupLine(Markup.Escape($"measuring {step.Label} ..."));
                }

                Measure(step);
                return;
            }
            catch (OperationCanceledException)
            {
            }
        }

        if (Interrupted.Count == 0)
        {
            Errors.MarkupLine(Markup.Escape($"interrupted: {step.Label} and what follows it are not measured."));
        }

        Interrupted.Add(step.Label);
    }

    private void Measure(BenchStep step)
    {
        if (step.Word == "reference")
        {
            Rows.Add(ScoringBenchmark.MeasureReference(instance, candidates[..Math.Max(1, plans / 16)], Math.Max(16, scenarios / 16), stop));
            return;
        }

        if (step.Lanes is LaneWidth.Vector512 or LaneWidth.TwinVector512 && !Vector512Lanes.IsHardwareAccelerated)
        {
            // Emulated 512-bit vectors give the right numbers slowly: no speed worth a row.
            _absent[step.Label] = "this machine does not compute 512-bit vectors in hardware (or its runtime finds them slower); skipped.";
            Errors.MarkupLine(Markup.Escape($"warning: {step.Label}: {_absent[step.Label]}"));
            return;
        }

        try
        {
            var reasons = new List<string>();
            void Warn(string reason)
            {
                reasons.Add(reason);
                Errors.MarkupLine(Markup.Escape($"warning: {step.Word}: {reason}"));
            }

            var options = new ScorerOptions(step.Precision, step.State, step.Lanes is not null, step.Residency, step.Lanes ?? LaneWidth.Auto);
            if ((measure ?? BenchCommand.Measure)(step.Word, options, instance, candidates, plans, scenarios, _doublePath.GetValueOrDefault(step.Word), Warn, stop) is not { } measured)
            {
                _absent[step.Word] = string.Join(" ", reasons);
                return;
            }

            Rows.Add(measured.Speed);
            _doublePath.TryAdd(step.Word, measured.Scores);
        }
        catch (Exception e) when (step.Word != "cpu" && e is not (OutOfMemoryException or OperationCanceledException))
        {
            // A device that fails while it scores (a driver error, a kernel the device cannot run) costs its row, not the
            // others'; the exit code says that something failed.
            Failed.Add((step.Label, $"failed ({e.GetType().Name}: {e.Message})"));
            Errors.MarkupLine(Markup.Escape($"warning: {step.Label} {Failed[^1].Reason}; skipped."));
        }
    }
}
