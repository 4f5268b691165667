namespace NomadQemu.Driver.Node;

/// <summary>
/// The probe guest: a 64 KiB firmware image (given to QEMU as <c>-bios</c>, so SeaBIOS is skipped) that goes
/// real mode → protected mode → long mode with paging, runs a 10-million-iteration loop, then writes 0x2a to
/// QEMU's isa-debug-exit port. A real-mode boot sector is not enough: on broken nested hosts real mode
/// completes under KVM while code that runs without VM exits hangs forever (see docs/test-guest-notes.md).
/// Source: scripts/guest/kvm-probe.asm; these are its assembled bytes, placed at the end of the image.
/// </summary>
internal static class KvmProbeGuest
{
    private const int ImageBytes = 65536;

    /// <summary>isa-debug-exit makes QEMU exit with (value &lt;&lt; 1) | 1; the probe writes 0x2a.</summary>
    public const int SuccessExitCode = (0x2a << 1) | 1;

    private const string CodeHex =
        "fab052e6e92e660f0116c0ff0f20c00c010f22c066ea1cff0f00080066b810008ed88ec08ed0b050e6e9fcbf0010000031c0b9000c0000f3ab"
        + "c7050010000003200000c7050020000003300000c7050030000083000000b8001000000f22d80f20e083c8200f22e0b9800000c00f320d0001"
        + "00000f300f20c00d000000800f22c0ea88ff0f001800b04ce6e9b980969800ffc975fcb053e6e9b02ae6f4f4ebfd0000000000000000ffff00"
        + "00009acf00ffff00000092cf00ffff0000009aaf001f00a0ff0f0090909090909090909090909090909090909090909090909090909090909090"
        + "9090909090909090909090ea00ff00f00000000000000000000000";

    public static byte[] FirmwareImage()
    {
        var code = Convert.FromHexString(CodeHex);
        var image = new byte[ImageBytes];
        code.CopyTo(image, ImageBytes - code.Length);
        return image;
    }

    /// <summary>Exactly one accelerator: with a fallback list QEMU would silently use TCG and the probe would pass.</summary>
    public static IReadOnlyList<string> Arguments(string firmware, string accelerator) =>
        [
            "-machine",
            $"pc,accel={accelerator}",
            "-cpu",
            "qemu64",
            "-m",
            "16M",
            "-nodefaults",
            "-no-user-config",
            "-display",
            "none",
            "-monitor",
            "none",
            "-serial",
            "none",
            "-no-reboot",
            "-bios",
            firmware,
            "-device",
            "isa-debug-exit,iobase=0xf4,iosize=0x04",
        ];
}
