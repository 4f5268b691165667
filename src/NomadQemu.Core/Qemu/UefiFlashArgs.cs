using System.Globalization;

namespace NomadQemu.Core.Qemu;

/// <summary>The QEMU arguments that map a <see cref="UefiFlash"/>.</summary>
internal static class UefiFlashArgs
{
    public static void Add(UefiFlash? uefi, List<string> args)
    {
        if (uefi is null)
        {
            return;
        }
        if (uefi.SecureBoot)
        {
            // Only code running in SMM may write the variable flash, so the guest OS cannot rewrite the keys.
            args.AddRange(["-global", "driver=cfi.pflash01,property=secure,value=on"]);
        }
        args.AddRange([
            "-drive",
            $"if=pflash,unit=0,format=raw,readonly=on,file={QemuOptionText.Escape(uefi.CodePath)}",
        ]);
        args.AddRange([
            "-drive",
            string.Create(
                CultureInfo.InvariantCulture,
                $"if=pflash,unit=1,format=raw,file=/dev/fdset/{uefi.VarsFdSet}"
            ),
        ]);
    }
}
