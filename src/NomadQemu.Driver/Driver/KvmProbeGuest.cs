namespace NomadQemu.Driver;

/// <summary>The probe guest: a boot sector that reports success through isa-debug-exit and halts.</summary>
public static class KvmProbeGuest
{
    private const byte Marker = 0x31;

    /// <summary>isa-debug-exit makes QEMU exit with (value &lt;&lt; 1) | 1.</summary>
    public const int SuccessExitCode = (Marker << 1) | 1;

    public static byte[] BootSector()
    {
        var sector = new byte[512];
        byte[] code =
        [
            0xB0, Marker, // mov al, 0x31
            0xE6, 0xF4, //   out 0xf4, al   (isa-debug-exit)
            0xF4, //         hlt
            0xEB, 0xFD, //   jmp back to hlt
        ];
        code.CopyTo(sector, 0);
        sector[510] = 0x55;
        sector[511] = 0xAA;
        return sector;
    }

    public static IReadOnlyList<string> Arguments(string image, string accelerator) =>
    [
        "-machine", $"type=pc,accel={accelerator}",
        "-m", "16",
        "-display", "none",
        "-nodefaults",
        "-no-user-config",
        "-device", "isa-debug-exit,iobase=0xf4,iosize=0x04",
        "-drive", $"file={image},format=raw,if=ide",
    ];
}
