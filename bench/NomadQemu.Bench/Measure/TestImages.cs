using System.Globalization;

namespace NomadQemu.Bench.Measure;

/// <summary>
/// qcow2 images full of random data (nothing sparse, nothing compressible), made once and cached: what a real
/// per-allocation artifact copy has to move.
/// </summary>
public static class TestImages
{
    public static async Task<string> EnsureAsync(BenchContext context, long bytes)
    {
        var megabytes = bytes >> 20;
        var path = Path.Combine(
            context.Options.CacheDir,
            $"random-{megabytes.ToString(CultureInfo.InvariantCulture)}m.qcow2"
        );
        if (File.Exists(path))
        {
            return path;
        }
        Directory.CreateDirectory(context.Options.CacheDir);
        context.Log($"creating {path} ({megabytes} MiB of random data, once)");
        var raw = path + ".raw.tmp";
        var tmp = path + ".tmp";
        try
        {
            await Command.RunAsync(
                "dd",
                [
                    "if=/dev/urandom",
                    $"of={raw}",
                    "bs=1M",
                    $"count={megabytes.ToString(CultureInfo.InvariantCulture)}",
                    "status=none",
                ],
                context.Cancellation
            );
            await Command.RunAsync("qemu-img", ["convert", "-f", "raw", "-O", "qcow2", raw, tmp], context.Cancellation);
            File.Move(tmp, path);
        }
        finally
        {
            File.Delete(raw);
            File.Delete(tmp);
        }
        return path;
    }
}
