using NomadQemu.Core.Config;
using NomadQemu.Core.Qemu;
using NomadQemu.Core.Validation;
using NomadQemu.Driver.Files;

namespace NomadQemu.Driver;

public sealed partial class QemuDriver
{
    /// <summary>The main disk's overlay, in the task's private disk folder (kept across task restarts).</summary>
    public const string OverlayFileName = "overlay.qcow2";

    /// <param name="DirectBootBytes">Kernel plus initrd size: QEMU keeps a copy of both in its own memory (fw_cfg).</param>
    private sealed record JobFiles(
        DriveSpec Drive,
        string? KernelPath,
        string? InitrdPath,
        OverlayPlan? Overlay,
        long DirectBootBytes
    )
    {
        /// <summary>Content digests of every file opened ("key=sha256"), for a <c>warm_start</c> template key.</summary>
        public IReadOnlyList<string> Digests { get; init; } = [];
    }

    /// <summary>
    /// Opens every file the job names (image chain, kernel, initrd) exactly once, beneath its allowed roots, and
    /// lays out the descriptors QEMU will inherit. Nothing is reopened by name after this.
    /// </summary>
    private JobFiles OpenJobFiles(TaskConfig config, TaskRequest request, PassedFds fds)
    {
        var roots = ImagePathGuard.Roots(request.AllocDir, _config.ImagePaths);
        var inPlace = config.DiskMode == DiskMode.InPlace;
        // The overlay's slots come first so its numbers are known before it exists.
        var overlaySlots = inPlace ? ((int, int)?)null : (fds.Reserve(), fds.Reserve());
        var image = ImageChainOpener.Open(config.ImagePath, config.ImageFormat, inPlace, request.TaskDir, roots);
        List<OpenedFile> opened = [.. image.Files];
        // Only a warm start needs them: a template must never be restored over other image or kernel bytes.
        List<string>? digests = config.WarmStart is null ? null : [];
        try
        {
            digests?.AddRange(opened.Select(f => $"{f.Key}={WarmStart.FileDigests.Of(f.Handle)}"));
            var chain = ImageChainOpener.ToDiskLayer(image, fds);
            var iso = image.Kind == ImageFormatDetector.Kind.Iso;
            OverlayPlan? overlay = null;
            var top = chain;
            if (overlaySlots is (int rw, int ro) && !iso)
            {
                overlay = new OverlayPlan(
                    Path.Combine(request.TaskDir, BlankDiskDirName, OverlayFileName),
                    image.VirtualSize,
                    OverlayBase.Describe(image.VirtualSize, image.Files),
                    rw,
                    ro
                );
                top = new DiskLayer("qcow2", fds.NewSet(rw, ro), chain);
            }
            else if (overlaySlots is (int unusedRw, int unusedRo))
            {
                // An ISO needs no overlay (it is a read-only CD-ROM); keep the numbering, pass /dev/null.
                fds.Fill(unusedRw, OpenDevNull());
                fds.Fill(unusedRo, OpenDevNull());
            }
            var kernel = OpenSide(TaskConfigSchema.Kernel, config.Kernel, request, roots, fds, opened, digests);
            var initrd = OpenSide(TaskConfigSchema.Initrd, config.Initrd, request, roots, fds, opened, digests);
            var bootBytes = opened
                .Where(f => f.Key is TaskConfigSchema.Kernel or TaskConfigSchema.Initrd)
                .Sum(f => f.Size);
            return new JobFiles(
                new DriveSpec(top, iso ? DriveMedia.Cdrom : DriveMedia.Disk),
                kernel,
                initrd,
                overlay,
                bootBytes
            )
            {
                Digests = digests ?? [],
            };
        }
        catch
        {
            foreach (var file in opened)
            {
                file.Dispose();
            }
            throw;
        }
    }

    /// <summary>
    /// kernel/initrd: QEMU reads them with a plain open(), so it gets /proc/self/fd/N of our descriptor; a jailed
    /// QEMU gets a sealed memfd copy instead, which its unprivileged uid can open whatever the file's mode.
    /// </summary>
    private string? OpenSide(
        string key,
        string? path,
        TaskRequest request,
        IReadOnlyList<string> roots,
        PassedFds fds,
        List<OpenedFile> opened,
        List<string>? digests
    )
    {
        if (path is null)
        {
            return null;
        }
        var file = ConfinedOpener.Open(key, path, request.TaskDir, roots, writable: false);
        digests?.Add($"{key}={WarmStart.FileDigests.Of(file.Handle)}");
        if (!_config.Jail)
        {
            opened.Add(file);
            return $"/proc/self/fd/{fds.Add(file.Handle)}";
        }
        using (file)
        {
            return $"/proc/self/fd/{fds.Add(SealedCopy.Of(file))}";
        }
    }

    private static Microsoft.Win32.SafeHandles.SafeFileHandle OpenDevNull() =>
        File.OpenHandle("/dev/null", FileMode.Open, FileAccess.Read);
}
