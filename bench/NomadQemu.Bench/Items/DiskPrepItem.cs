using NomadQemu.Bench.Measure;
using NomadQemu.Bench.Report;

namespace NomadQemu.Bench.Items;

/// <summary>Item 2b: the per-task disk: our qcow2 overlay against a full copy of the image (what a per-allocation artifact costs).</summary>
public static class DiskPrepItem
{
    public static async Task RunAsync(BenchContext context, ReportSection section)
    {
        foreach (var size in context.Options.DiskSizes)
        {
            var label = size >= 1L << 30 ? $"{size >> 30} GiB" : $"{size >> 20} MiB";
            var free = new DriveInfo(context.Options.CacheDir).AvailableFreeSpace;
            if (size > 1L << 30 && free < BenchOptions.LargeImageMinFreeBytes)
            {
                section.Note(
                    $"{label} image skipped: only {free / (1L << 30)} GB free under {context.Options.CacheDir} (needs {BenchOptions.LargeImageMinFreeBytes >> 30} GB)."
                );
                continue;
            }
            var image = await TestImages.EnsureAsync(context, size);
            var work = Path.Combine(context.Options.CacheDir, "work");
            Directory.CreateDirectory(work);
            var overlay = Path.Combine(work, "overlay.qcow2");
            var copy = Path.Combine(work, "copy.qcow2");
            var ours = new Sample("s");
            long overlayBytes = 0;
            var baseline = new Sample("s");
            // Uncounted warm-up copy: every counted copy then reads from the page cache (the copy's best case).
            await Command.RunAsync("cp", [image, copy], context.Cancellation);
            await ResetAsync(context, copy);
            for (var i = 0; i < context.Options.DiskPrepRuns; i++)
            {
                // Exactly the driver's overlay command (QemuDriver.PrepareDiskAsync).
                ours.Add(
                    await Command.TimeAsync(
                        "qemu-img",
                        ["create", "-q", "-f", "qcow2", "-F", "qcow2", "-b", image, overlay],
                        context.Cancellation
                    )
                );
                overlayBytes = new FileInfo(overlay).Length;
                await ResetAsync(context, overlay);
                baseline.Add(await Command.TimeAsync("cp", [image, copy], context.Cancellation));
                await ResetAsync(context, copy);
            }
            section.Add($"per-task disk, {label} image (random data)", ours, "full copy (`cp`)", baseline);
            section.Note(
                $"{label}: the overlay file is {overlayBytes / 1024} KiB, the copy {new FileInfo(image).Length >> 20} MiB."
            );
        }
        section.Note(
            "Both timed as whole processes; the destination is on the same filesystem as the image, and each result is deleted and `sync`ed before the next run (untimed)."
        );
    }

    private static async Task ResetAsync(BenchContext context, string path)
    {
        File.Delete(path);
        await Command.RunAsync("sync", [], context.Cancellation);
    }
}
