using NomadQemu.Bench.Measure;

namespace NomadQemu.Bench.Report;

/// <summary>
/// One compared figure: ours against a baseline measured in the same run. The ratio is ours/baseline of the
/// medians, so above 1 means ours is bigger (slower, heavier) unless <see cref="HigherIsBetter"/>.
/// </summary>
public sealed record ResultRow(
    string Metric,
    Sample Ours,
    string BaselineName,
    Sample Baseline,
    bool HigherIsBetter = false
)
{
    public double Ratio => Ours.Median / Baseline.Median;

    /// <summary>True when ours is worse than the baseline by more than the noise allowance.</summary>
    public bool WeLose(double allowance = 1.10) =>
        double.IsFinite(Ratio) && (HigherIsBetter ? Ratio < 1 / allowance : Ratio > allowance);
}

/// <summary>One numbered item of the suite.</summary>
public sealed class ReportSection(string number, string title, string method)
{
    public string Number { get; } = number;
    public string Title { get; } = title;
    public string Method { get; } = method;
    public List<ResultRow> Rows { get; } = [];
    public List<string> Notes { get; } = [];
    public string? SkippedBecause { get; set; }

    public ResultRow Add(string metric, Sample ours, string baselineName, Sample baseline, bool higherIsBetter = false)
    {
        var row = new ResultRow(metric, ours, baselineName, baseline, higherIsBetter);
        Rows.Add(row);
        return row;
    }

    public void Note(string text) => Notes.Add(text);
}

/// <summary>The whole run: where and what it ran on, and every section.</summary>
public sealed class BenchReport(MachineInfo machine, bool quick)
{
    public MachineInfo Machine { get; } = machine;
    public bool Quick { get; } = quick;
    public List<ReportSection> Sections { get; } = [];
    public TimeSpan Duration { get; set; }
}
