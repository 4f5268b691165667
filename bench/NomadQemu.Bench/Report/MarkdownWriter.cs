using System.Globalization;
using System.Text;
using NomadQemu.Bench.Measure;

namespace NomadQemu.Bench.Report;

/// <summary>Renders a <see cref="BenchReport"/> as the Markdown that goes into BENCHMARKS.md.</summary>
public static class MarkdownWriter
{
    public static string Render(BenchReport report)
    {
        var m = report.Machine;
        var text = new StringBuilder();
        text.AppendLine(
            CultureInfo.InvariantCulture,
            $"Run: {m.Date}{(report.Quick ? " (**quick mode: tiny counts, figures are not meaningful**)" : "")}, suite time {report.Duration.TotalMinutes:0.0} min."
        );
        text.AppendLine();
        text.AppendLine("| | |");
        text.AppendLine("| --- | --- |");
        text.AppendLine(
            CultureInfo.InvariantCulture,
            $"| commit | `{m.Commit}`{(m.Dirty ? " (src/ has uncommitted changes)" : "")} |"
        );
        text.AppendLine(
            CultureInfo.InvariantCulture,
            $"| machine | {m.Processors} vCPU ({m.CpuModel}), {m.MemoryMb} MiB RAM, Linux {m.Kernel} |"
        );
        text.AppendLine(CultureInfo.InvariantCulture, $"| QEMU | {m.QemuVersion} |");
        text.AppendLine(CultureInfo.InvariantCulture, $"| accelerator | {m.Accelerator} |");
        text.AppendLine();
        text.AppendLine(
            "Each cell: median [min–max] (n). Ratio = our median / baseline median (below 1: ours is smaller, i.e. faster or lighter; for throughput, above 1 is better). **Bold** ratio: we lose by more than 10 %."
        );
        text.AppendLine();
        foreach (var section in report.Sections)
        {
            text.AppendLine(CultureInfo.InvariantCulture, $"### {section.Number}. {section.Title}");
            text.AppendLine();
            text.AppendLine(section.Method);
            text.AppendLine();
            if (section.SkippedBecause is { } why)
            {
                text.AppendLine(CultureInfo.InvariantCulture, $"Skipped: {why}");
                text.AppendLine();
            }
            if (section.Rows.Count > 0)
            {
                text.AppendLine("| figure | ours | baseline | baseline figure | ratio |");
                text.AppendLine("| --- | --- | --- | --- | --- |");
                foreach (var row in section.Rows)
                {
                    var ratio = double.IsFinite(row.Ratio)
                        ? row.Ratio.ToString(row.Ratio >= 100 ? "0" : "0.00", CultureInfo.InvariantCulture) + "×"
                        : "n/a (baseline 0)";
                    text.AppendLine(
                        CultureInfo.InvariantCulture,
                        $"| {row.Metric} | {Cell(row.Ours)} | {row.BaselineName} | {Cell(row.Baseline)} | {(row.WeLose() ? $"**{ratio}**" : ratio)} |"
                    );
                }
                text.AppendLine();
            }
            foreach (var note in section.Notes)
            {
                text.AppendLine(CultureInfo.InvariantCulture, $"- {note}");
            }
            if (section.Notes.Count > 0)
            {
                text.AppendLine();
            }
        }
        return text.ToString();
    }

    public static string Cell(Sample sample)
    {
        if (sample.Count == 0)
        {
            return "—";
        }
        var median = Format(sample.Median, sample.Unit);
        return sample.Count == 1
            ? $"{median} (1)"
            : $"{median} [{Format(sample.Min, sample.Unit, withUnit: false)}–{Format(sample.Max, sample.Unit, withUnit: false)}] ({sample.Count})";
    }

    public static string Format(double value, string unit, bool withUnit = true)
    {
        var digits = Math.Abs(value) switch
        {
            >= 100 => "0",
            >= 10 => "0.0",
            >= 1 => "0.00",
            _ => "0.000",
        };
        var number = value.ToString(digits, CultureInfo.InvariantCulture);
        return withUnit ? $"{number} {unit}" : number;
    }
}
