using System.Formats.Tar;
using System.IO.Compression;
using System.Security.Cryptography;
using System.Text;

namespace NomadQemu.Artifacts.Tests;

internal static class TestData
{
    public static byte[] Bytes(int length, int seed = 1)
    {
        var data = new byte[length];
        new Random(seed).NextBytes(data);
        return data;
    }

    public static string Hex(string algorithm, byte[] data) =>
        Convert.ToHexStringLower(
            algorithm switch
            {
                "md5" => MD5.HashData(data),
                "sha1" => SHA1.HashData(data),
                "sha256" => SHA256.HashData(data),
                "sha512" => SHA512.HashData(data),
                _ => throw new ArgumentOutOfRangeException(nameof(algorithm)),
            }
        );

    public static string Sha256(byte[] data) => "sha256:" + Hex("sha256", data);

    public sealed record Entry(
        string Name,
        string Content,
        UnixFileMode Mode =
            (UnixFileMode)
                0x1A4 /* 0644 */
        ,
        TarEntryType Type = TarEntryType.RegularFile,
        string? LinkName = null,
        byte[]? Data = null
    );

    public static Entry Link(string name, string target) =>
        new(name, "", (UnixFileMode)0x1FF, TarEntryType.SymbolicLink, target);

    public static byte[] Tar(params Entry[] entries)
    {
        using var buffer = new MemoryStream();
        using (var writer = new TarWriter(buffer, TarEntryFormat.Pax, leaveOpen: true))
        {
            foreach (var e in entries)
            {
                var entry = new PaxTarEntry(e.Type, e.Name) { Mode = e.Mode };
                if (e.Type == TarEntryType.SymbolicLink || e.Type == TarEntryType.HardLink)
                {
                    entry.LinkName = e.LinkName!;
                }
                else if (e.Type == TarEntryType.RegularFile)
                {
                    entry.DataStream = new MemoryStream(e.Data ?? Encoding.UTF8.GetBytes(e.Content));
                }

                writer.WriteEntry(entry);
            }
        }

        return buffer.ToArray();
    }

    public static byte[] Gzip(byte[] data)
    {
        using var buffer = new MemoryStream();
        using (var gzip = new GZipStream(buffer, CompressionLevel.Fastest, leaveOpen: true))
        {
            gzip.Write(data);
        }

        return buffer.ToArray();
    }

    public static byte[] Zip(params Entry[] entries)
    {
        using var buffer = new MemoryStream();
        using (var zip = new ZipArchive(buffer, ZipArchiveMode.Create, leaveOpen: true))
        {
            foreach (var e in entries)
            {
                var entry = zip.CreateEntry(e.Name);
                // S_IFREG or S_IFLNK | mode in the high 16 bits, as Info-ZIP on Unix; a link's data is its target.
                var link = e.Type == TarEntryType.SymbolicLink;
                entry.ExternalAttributes = ((link ? 0xA000 : 0x8000) | (int)e.Mode) << 16;
                using var stream = entry.Open();
                stream.Write(link ? Encoding.UTF8.GetBytes(e.LinkName!) : e.Data ?? Encoding.UTF8.GetBytes(e.Content));
            }
        }

        return buffer.ToArray();
    }
}

/// <summary>Collects progress synchronously (Progress&lt;T&gt; would post to the thread pool and race the assertions).</summary>
internal sealed class ProgressLog : IProgress<ArtifactProgress>
{
    private readonly List<ArtifactProgress> _reports = [];

    public IReadOnlyList<ArtifactProgress> Reports
    {
        get
        {
            lock (_reports)
            {
                return [.. _reports];
            }
        }
    }

    public void Report(ArtifactProgress value)
    {
        lock (_reports)
        {
            _reports.Add(value);
        }
    }
}
