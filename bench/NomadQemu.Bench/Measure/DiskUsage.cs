using System.Diagnostics;
using System.Globalization;

namespace NomadQemu.Bench.Measure;

/// <summary>
/// Bytes a directory really occupies on disk (du's allocated blocks), next to its apparent size: a template's RAM
/// file is sparse, so only du tells what it costs.
/// </summary>
public static class DiskUsage
{
    public static async Task<(long Allocated, long Apparent)> OfAsync(
        string path,
        CancellationToken cancellationToken
    ) =>
        (
            await DuAsync(["-sB1", path], cancellationToken),
            await DuAsync(["-sB1", "--apparent-size", path], cancellationToken)
        );

    private static async Task<long> DuAsync(string[] args, CancellationToken cancellationToken)
    {
        var start = new ProcessStartInfo("du") { RedirectStandardOutput = true, UseShellExecute = false };
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }
        using var process = Process.Start(start) ?? throw new InvalidOperationException("cannot start du");
        var output = await process.StandardOutput.ReadToEndAsync(cancellationToken);
        await process.WaitForExitAsync(cancellationToken);
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"du {string.Join(' ', args)} exited {process.ExitCode}");
        }
        return long.Parse(output.Split('\t')[0], CultureInfo.InvariantCulture);
    }
}
