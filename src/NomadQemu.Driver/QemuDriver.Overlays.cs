using Microsoft.Win32.SafeHandles;
using NomadQemu.Core.Images;
using NomadQemu.Driver.Files;
using NomadQemu.Driver.Native;

namespace NomadQemu.Driver;

public sealed partial class QemuDriver
{
    /// <summary>
    /// A disk overlay: kept in the task's private disk folder (<see cref="BlankDiskDirName"/>) so the guest's writes
    /// survive a task restart within the allocation, and handed to QEMU at reserved descriptors.
    /// <paramref name="BaseIdentity"/> is what it is made over (<see cref="OverlayBase.Describe"/>).
    /// </summary>
    internal sealed record OverlayPlan(string Path, ulong VirtualSize, string BaseIdentity, int Fd, int ReadOnlyFd);

    /// <summary>
    /// Reuses each overlay an earlier start of this task left, when it is still exactly what the driver made over
    /// the same image (see <see cref="TryReuseOverlay"/>); otherwise (re)creates it as a plain empty qcow2 that names
    /// no backing file (the chain is given to QEMU explicitly, so qemu-img never opens the job's image).
    /// Returns one note per overlay that was there but could not be reused, for a task event.
    /// </summary>
    private async Task<IReadOnlyList<string>> PrepareOverlaysAsync(LaunchPlan plan, CancellationToken cancellationToken)
    {
        List<string> notes = [];
        foreach (
            var overlay in (plan.Overlay is { } main ? [main] : Array.Empty<OverlayPlan>()).Concat(plan.ExtraOverlays)
        )
        {
            EnsurePrivateDirectory(Path.GetDirectoryName(overlay.Path)!);
            var handle = TryReuseOverlay(overlay, out var whyNot);
            if (handle is null)
            {
                if (whyNot is not null)
                {
                    notes.Add(
                        $"The disk overlay {Path.GetFileName(overlay.Path)} from an earlier start of this task is not reused ({whyNot}): the guest starts from the image"
                    );
                }
                OverlayBase.Forget(overlay.Path);
                File.Delete(overlay.Path); // a link is removed as a link, never followed
                await CreateQcow2Async(overlay.Path, overlay.VirtualSize, "disk overlay", cancellationToken);
                handle = OpenOwnFile(overlay.Path, "disk overlay");
                OverlayBase.Write(overlay.Path, overlay.BaseIdentity);
            }
            plan.Fds.Fill(overlay.Fd, handle);
            plan.Fds.Fill(overlay.ReadOnlyFd, ReopenReadOnly(handle, overlay.Path));
        }
        return notes;
    }

    /// <summary>
    /// The kept overlay, opened read-write, if it is still usable: a regular file owned by the driver (opened without
    /// following a link; checked on the descriptor), a qcow2 that names no other file, of the image's virtual size,
    /// made over the very same image chain. Null with <paramref name="whyNot"/> null when there is none (first start).
    /// </summary>
    private static SafeFileHandle? TryReuseOverlay(OverlayPlan overlay, out string? whyNot)
    {
        whyNot = null;
        if (LibC.LStat(overlay.Path) is null)
        {
            return null;
        }
        var fd = LibC.open(overlay.Path, LibC.O_RDWR | LibC.O_CLOEXEC | LibC.O_NOCTTY | LibC.ONoFollow, 0);
        if (fd < 0)
        {
            whyNot = $"it cannot be opened, a link is refused: {LibC.LastError()}";
            return null;
        }
        var handle = new SafeFileHandle(fd, ownsHandle: true);
        whyNot = WhyNotReusable(overlay, handle);
        if (whyNot is null)
        {
            return handle;
        }
        handle.Dispose();
        return null;
    }

    private static string? WhyNotReusable(OverlayPlan overlay, SafeFileHandle handle)
    {
        if (
            LibC.FStat((int)handle.DangerousGetHandle()) is not { } stat
            || (stat.Mode & LibC.FileTypeMask) != LibC.RegularFileType
            || stat.Uid != (uint)LibC.geteuid()
        )
        {
            return "it is not a regular file of the driver's";
        }
        Qcow2Header header;
        try
        {
            header = Qcow2HeaderReader.Read(handle);
        }
        catch (Exception e) when (e is InvalidDataException or IOException)
        {
            return $"it is not a usable qcow2: {e.Message}";
        }
        if (header.BackingFile is not null || header.HasExternalDataFile)
        {
            return "it names another file (a backing or external data file)";
        }
        if (header.VirtualSize != overlay.VirtualSize)
        {
            return $"it holds {header.VirtualSize} bytes, the image {overlay.VirtualSize}";
        }
        return OverlayBase.Read(overlay.Path) == overlay.BaseIdentity
            ? null
            : "the image it was made over has changed, or its record is missing";
    }

    /// <summary>A read-only descriptor of the same inode, through our own descriptor rather than the name.</summary>
    private static SafeFileHandle ReopenReadOnly(SafeFileHandle handle, string path)
    {
        var fd = LibC.open(
            $"/proc/self/fd/{handle.DangerousGetHandle()}",
            LibC.O_RDONLY | LibC.O_CLOEXEC | LibC.O_NOCTTY,
            0
        );
        if (fd < 0)
        {
            throw new IOException($"cannot reopen {path} read-only: {LibC.LastError()}");
        }
        return new SafeFileHandle(fd, ownsHandle: true);
    }
}
