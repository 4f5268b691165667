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
    /// on both sides), where the driver keeps it (the task dir's <c>.qemu-disks</c>): the disk step a raw QEMU
    /// launch needs before it starts.
    /// </summary>
    public static async Task CreateOverlayAsync(NomadQemu.TestKit.VmTask task, CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(OverlayDir(task.TaskDir));
        Directory.CreateDirectory(task.RunDir); // the by-hand QMP socket goes there (QemuArgv.Capture)
        await Command.RunAsync(
            "qemu-img",
            ["create", "-q", "-f", "qcow2", "-F", "qcow2", "-b", task.ImagePath, OverlayPath(task.TaskDir)],
            cancellationToken
        );
    }

    /// <summary>The overlay of a by-hand launch in <paramref name="taskDir"/>, at the driver's own place for it.</summary>
    public static string OverlayPath(string taskDir) => Path.Combine(OverlayDir(taskDir), "overlay.qcow2");

    private static string OverlayDir(string taskDir) => Path.Combine(taskDir, ".qemu-disks");
}
