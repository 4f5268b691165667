using Microsoft.Win32.SafeHandles;
using NomadQemu.Core.Config;
using NomadQemu.Core.Images;
using NomadQemu.Core.Qemu;
using NomadQemu.Driver.Files;
using NomadQemu.Driver.Native;

namespace NomadQemu.Driver;

public sealed partial class QemuDriver
{
    /// <summary>
    /// The task-dir folder holding blank disks and disk overlays. Outside the run dir on purpose: the run dir is rebuilt
    /// at every start, while what the guest wrote must survive task restarts within the allocation (Nomad restarts
    /// a failed task in the same task dir and keeps that dir until the allocation is collected).
    /// </summary>
    public const string BlankDiskDirName = ".qemu-disks";

    /// <summary>A blank disk: created at start when missing, reused when present, handed over at reserved slots.</summary>
    internal sealed record BlankDiskPlan(string Key, string Path, long SizeBytes, int Fd, int ReadOnlyFd);

    private sealed record ExtraDisks(
        IReadOnlyList<ExtraDrive> Drives,
        IReadOnlyList<OverlayPlan> Overlays,
        IReadOnlyList<BlankDiskPlan> Blanks
    );

    /// <summary>
    /// Opens every <c>disk</c> image exactly as <c>image_path</c> is opened (beneath the allowed roots, the whole chain,
    /// the format stated), lays out the overlay the task's <c>disk_mode</c> asks for (none when read-only), and
    /// reserves the slots of blank disks. No file is created here.
    /// </summary>
    private static ExtraDisks OpenExtraDisks(
        TaskConfig config,
        TaskRequest request,
        IReadOnlyList<string> roots,
        PassedFds fds
    )
    {
        List<ExtraDrive> drives = [];
        List<OverlayPlan> overlays = [];
        List<BlankDiskPlan> blanks = [];
        var diskDir = Path.Combine(request.TaskDir, BlankDiskDirName);
        for (var i = 0; i < config.Disks.Count; i++)
        {
            var disk = config.Disks[i];
            var bus = disk.Interface ?? DefaultBus(config.EffectiveDriveInterface);
            if (disk.SizeBytes is { } size)
            {
                var (rw, ro) = (fds.Reserve(), fds.Reserve());
                var path = Path.Combine(diskDir, $"disk{i}.qcow2");
                blanks.Add(new BlankDiskPlan($"{disk.Name}.{TaskConfigSchema.DiskSize}", path, size, rw, ro));
                drives.Add(new ExtraDrive(disk, bus, new DiskLayer("qcow2", fds.NewSet(rw, ro))));
                continue;
            }
            var overlay = !disk.ReadOnly && config.DiskMode == DiskMode.Overlay;
            var writable = !disk.ReadOnly && config.DiskMode == DiskMode.InPlace;
            var image = ImageChainOpener.Open(
                disk.Source!,
                disk.Format,
                writable,
                request.TaskDir,
                roots,
                $"{disk.Name}.{TaskConfigSchema.DiskSource}"
            );
            DiskLayer chain;
            try
            {
                chain = ImageChainOpener.ToDiskLayer(image, fds);
            }
            catch
            {
                foreach (var file in image.Files)
                {
                    file.Dispose();
                }
                throw;
            }
            if (overlay)
            {
                var (rw, ro) = (fds.Reserve(), fds.Reserve());
                overlays.Add(
                    new OverlayPlan(
                        Path.Combine(diskDir, $"disk{i}-overlay.qcow2"),
                        image.VirtualSize,
                        OverlayBase.Describe(image.VirtualSize, image.Files),
                        rw,
                        ro
                    )
                );
                chain = new DiskLayer("qcow2", fds.NewSet(rw, ro), chain);
            }
            drives.Add(new ExtraDrive(disk, bus, chain));
        }
        return new ExtraDisks(drives, overlays, blanks);
    }

    private static DiskInterface DefaultBus(string driveInterface) =>
        driveInterface switch
        {
            "ide" => DiskInterface.Ide,
            "scsi" => DiskInterface.Scsi,
            _ => DiskInterface.Virtio,
        };

    /// <summary>
    /// Creates each missing blank disk (sparse qcow2, 0600) in the task's private disk folder, or reuses the one an
    /// earlier start of this task made, after checking it is still what the driver made: a regular file (never
    /// a link), a qcow2 that names no other file, of the size the job asks for.
    /// </summary>
    private async Task PrepareBlankDisksAsync(LaunchPlan plan, CancellationToken cancellationToken)
    {
        foreach (var blank in plan.BlankDisks)
        {
            EnsurePrivateDirectory(Path.GetDirectoryName(blank.Path)!);
            if (LibC.LStat(blank.Path) is null)
            {
                await CreateQcow2Async(blank.Path, (ulong)blank.SizeBytes, "blank disk", cancellationToken);
            }
            var handle = OpenOwnFile(blank.Path, "blank disk");
            plan.Fds.Fill(blank.Fd, handle);
            CheckBlankDisk(blank, handle);
            plan.Fds.Fill(blank.ReadOnlyFd, OpenOwnFile(blank.Path, "blank disk", writable: false));
        }
    }

    /// <summary>The folder is made 0700 by the driver; anything else there (a link, another owner, open modes) is
    /// not trusted with the guest's data.</summary>
    private static void EnsurePrivateDirectory(string dir)
    {
        if (LibC.LStat(dir) is not { } stat)
        {
            Directory.CreateDirectory(dir, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
            return;
        }
        if (
            (stat.Mode & LibC.FileTypeMask) != LibC.DirectoryType
            || stat.Uid != (uint)LibC.geteuid()
            || (stat.Mode & Convert.ToInt32("077", 8)) != 0
        )
        {
            throw new DriverException(
                DriverErrorKind.InvalidConfig,
                $"{dir} is not the driver's private disk folder (a link, another owner, or open to others); refusing to keep disk data there"
            );
        }
    }

    private static SafeFileHandle OpenOwnFile(string path, string what, bool writable = true)
    {
        var flags = (writable ? LibC.O_RDWR : LibC.O_RDONLY) | LibC.O_CLOEXEC | LibC.O_NOCTTY | LibC.ONoFollow;
        var fd = LibC.open(path, flags, 0);
        if (fd < 0)
        {
            throw new DriverException(
                DriverErrorKind.InvalidConfig,
                $"{what} {path} cannot be opened (a link is refused): {LibC.LastError()}"
            );
        }
        var handle = new SafeFileHandle(fd, ownsHandle: true);
        if (LibC.FStat(fd) is not { } stat || (stat.Mode & LibC.FileTypeMask) != LibC.RegularFileType)
        {
            handle.Dispose();
            throw new DriverException(DriverErrorKind.InvalidConfig, $"{what} {path} is not a regular file");
        }
        return handle;
    }

    private static void CheckBlankDisk(BlankDiskPlan blank, SafeFileHandle handle)
    {
        Qcow2Header header;
        try
        {
            header = Qcow2HeaderReader.Read(handle);
        }
        catch (Exception e) when (e is InvalidDataException or IOException)
        {
            throw Refused($"it is no longer a usable qcow2 ({e.Message})");
        }
        if (header.BackingFile is not null || header.HasExternalDataFile)
        {
            throw Refused("it now names another file (a backing or external data file)");
        }
        if (header.VirtualSize != (ulong)blank.SizeBytes)
        {
            throw Refused(
                $"it holds {header.VirtualSize} bytes but the job asks for {blank.SizeBytes}; a blank disk keeps its size within an allocation"
            );
        }

        DriverException Refused(string why) =>
            new(
                DriverErrorKind.InvalidConfig,
                $"config key \"{blank.Key}\": the existing blank disk {blank.Path} from an earlier start is refused: {why}"
            );
    }
}
