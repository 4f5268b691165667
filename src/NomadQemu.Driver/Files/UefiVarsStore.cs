using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;
using NomadQemu.Core.Config;
using NomadQemu.Driver.Native;

namespace NomadQemu.Driver.Files;

/// <summary>
/// The task's own UEFI variable store (boot entries, Secure Boot state), a copy of the firmware's template kept in
/// the task dir so a restarted task boots with what the guest stored, and a new allocation starts clean. The job
/// can put files in its task dir, so the name is never trusted: the copy is made under a private temporary name
/// (O_EXCL, O_NOFOLLOW, mode 0600) and renamed into place only when nothing is there; what is there is opened
/// with <see cref="ConfinedOpener"/> beneath the task dir (a link out of it is refused, a device or FIFO too).
/// </summary>
internal static class UefiVarsStore
{
    public const string FileName = ".qemu-uefi-vars.fd";

    /// <summary>Opens the store read-write, creating it from <paramref name="templatePath"/> on the first start.</summary>
    /// <exception cref="ConfigException">Something the job put at the store's name cannot be used.</exception>
    public static OpenedFile OpenOrCreate(string taskDir, string templatePath)
    {
        if (LibC.LStat(Path.Combine(taskDir, FileName)) is null)
        {
            CreateFromTemplate(taskDir, templatePath);
        }
        return ConfinedOpener.Open(TaskConfigSchema.Firmware, FileName, taskDir, [taskDir], writable: true);
    }

    private static void CreateFromTemplate(string taskDir, string templatePath)
    {
        var temporary = Path.Combine(taskDir, FileName + ".new");
        File.Delete(temporary); // a leftover (or a planted link: removed as a link, never followed)
        var fd = LibC.openat(
            LibC.AT_FDCWD,
            temporary,
            LibC.O_WRONLY | LibC.O_CREAT | LibC.O_EXCL | LibC.ONoFollow | LibC.O_CLOEXEC,
            0b110_000_000
        );
        if (fd < 0)
        {
            throw new IOException(
                $"cannot create the UEFI variable store {temporary}: {Marshal.GetPInvokeErrorMessage(Marshal.GetLastPInvokeError())}"
            );
        }
        using (var handle = new SafeFileHandle(fd, ownsHandle: true))
        {
            // umask may have narrowed the mode, never widened it; make it exactly 0600.
            LibC.fchmod(fd, 0b110_000_000);
            using var target = new FileStream(handle, FileAccess.Write);
            using var template = File.OpenRead(templatePath);
            template.CopyTo(target);
            target.Flush(flushToDisk: true);
        }
        try
        {
            File.Move(temporary, Path.Combine(taskDir, FileName), overwrite: false);
        }
        catch (IOException)
        {
            // Something appeared at the name meanwhile: ours is discarded, that one is opened (confined) instead.
            File.Delete(temporary);
        }
    }
}
