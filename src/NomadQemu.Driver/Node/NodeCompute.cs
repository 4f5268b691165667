using System.Globalization;

namespace NomadQemu.Driver.Node;

/// <summary>
/// The node's CPU capacity as Nomad accounts it, for TaskStats' total_ticks:
/// TotalTicks = percent/100 × TotalCompute / NumCores (nomad client/lib/cpustats).
/// Nomad sends its topology in SetConfig (1.7+); without it we estimate from /proc/cpuinfo.
/// </summary>
public sealed record NodeCompute(double TotalComputeMhz, int NumCores)
{
    public double TicksFor(double percent) => NumCores <= 0 ? 0 : percent / 100.0 * TotalComputeMhz / NumCores;

    public static NodeCompute FromHost()
    {
        var cores = Environment.ProcessorCount;
        double mhz = 0;
        try
        {
            foreach (var line in File.ReadLines("/proc/cpuinfo"))
            {
                if (
                    line.StartsWith("cpu MHz", StringComparison.Ordinal)
                    && line.Split(':') is [_, var value]
                    && double.TryParse(value.Trim(), NumberStyles.Float, CultureInfo.InvariantCulture, out var parsed)
                )
                {
                    mhz = parsed;
                    break;
                }
            }
        }
        catch (IOException) { }
        if (mhz <= 0)
        {
            mhz = 1000;
        }
        return new NodeCompute(mhz * cores, cores);
    }
}
