using NomadQemu.Core.Config;

namespace NomadQemu.Driver;

/// <summary>
/// Reads a disk image's magic bytes so QEMU is always told the format explicitly (QEMU's own probing of
/// a raw image is a known way for a guest to change how its disk is opened next time).
/// </summary>
internal static class ImageFormatDetector
{
    public enum Kind
    {
        Raw,
        Qcow2,
        Iso,
    }

    private static readonly byte[] s_qcow2Magic = [(byte)'Q', (byte)'F', (byte)'I', 0xFB];

    public static Kind Detect(string path, ImageFormat? declared)
    {
        using var file = File.OpenRead(path);
        return Detect(file, declared);
    }

    /// <summary>Detects from an already opened image (the driver never reopens a job's file by name).</summary>
    public static Kind Detect(Stream file, ImageFormat? declared)
    {
        if (declared is { } format)
        {
            return format == ImageFormat.Qcow2 ? Kind.Qcow2 : Kind.Raw;
        }
        file.Seek(0, SeekOrigin.Begin);
        Span<byte> head = stackalloc byte[4];
        if (file.Read(head) == 4 && head.SequenceEqual(s_qcow2Magic))
        {
            return Kind.Qcow2;
        }
        // ISO 9660: the primary volume descriptor at sector 16 carries "CD001" after its type byte.
        Span<byte> iso = stackalloc byte[5];
        if (file.Length >= 0x8006)
        {
            file.Seek(0x8001, SeekOrigin.Begin);
            if (file.Read(iso) == 5 && iso.SequenceEqual("CD001"u8))
            {
                return Kind.Iso;
            }
        }
        return Kind.Raw;
    }

    public static string QemuFormat(Kind kind) => kind == Kind.Qcow2 ? "qcow2" : "raw";
}
