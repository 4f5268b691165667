namespace NomadQemu.Bench.Measure;

/// <summary>Repeated measurements of one figure, with the order statistics the report quotes.</summary>
public sealed class Sample
{
    private readonly List<double> _values = [];

    public Sample(string unit) => Unit = unit;

    public string Unit { get; }
    public int Count => _summary?.Count ?? _values.Count;
    public IReadOnlyList<double> Values => _values;

    public void Add(double value) => _values.Add(value);

    private (int Count, double Min, double Median, double Max, double P95)? _summary;

    public double Median => _summary?.Median ?? Quantile(0.5);
    public double P95 => _summary?.P95 ?? Quantile(0.95);
    public double Min => _summary?.Min ?? (_values.Count == 0 ? double.NaN : _values.Min());
    public double Max => _summary?.Max ?? (_values.Count == 0 ? double.NaN : _values.Max());

    /// <summary>A sample summarised elsewhere (BenchmarkDotNet keeps its own per-iteration statistics).</summary>
    public static Sample Summarised(string unit, int count, double min, double median, double max, double p95) =>
        new(unit) { _summary = (count, min, median, max, p95) };

    /// <summary>Linear interpolation between closest ranks (the same definition as numpy's default).</summary>
    public double Quantile(double q)
    {
        if (Count == 0)
        {
            return double.NaN;
        }
        var sorted = _values.Order().ToArray();
        var position = q * (sorted.Length - 1);
        var low = (int)Math.Floor(position);
        var high = (int)Math.Ceiling(position);
        return sorted[low] + (sorted[high] - sorted[low]) * (position - low);
    }

    public static Sample Of(string unit, IEnumerable<double> values)
    {
        var sample = new Sample(unit);
        foreach (var value in values)
        {
            sample.Add(value);
        }
        return sample;
    }
}
