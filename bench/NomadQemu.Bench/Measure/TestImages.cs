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

    /// <summary>
    /// The per-task qcow2 overlay over the task's image, made with the flags the driver uses (explicit formats
    /// on both sides), in the task's run dir: the disk step a raw QEMU launch needs before it starts.
    /// </summary>
    public static async Task CreateOverlayAsync(NomadQemu.TestKit.VmTask task, CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(task.RunDir);
        await Command.RunAsync(
            "qemu-img",
            [
                "create",
                "-q",
                "-f",
                "qcow2",
                "-F",
                "qcow2",
                "-b",
                task.ImagePath,
                Path.Combine(task.RunDir, "overlay.qcow2"),
            ],
            cancellationToken
        );
    }
}
