using System.Buffers.Binary;
using System.Diagnostics;
using NomadQemu.Core.Images;

namespace NomadQemu.Core.Tests.Images;

/// <summary>Headers written by the real qemu-img, plus crafted ones a hostile job could ship.</summary>
public sealed class Qcow2HeaderReaderTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("nq-qcow2").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string QemuImg(string name, params string[] options)
    {
        var path = Path.Combine(_dir, name);
        var start = new ProcessStartInfo("qemu-img") { RedirectStandardError = true };
        foreach (var a in (string[])["create", "-q", "-f", "qcow2", .. options, path, "64M"])
        {
            start.ArgumentList.Add(a);
        }
        using var p = Process.Start(start)!;
        var error = p.StandardError.ReadToEnd();
        p.WaitForExit();
        Assert.True(p.ExitCode == 0, error);
        return path;
    }

    private static Qcow2Header Read(string path)
    {
        using var stream = File.OpenRead(path);
        return Qcow2HeaderReader.Read(stream);
    }

    [Fact]
    public void PlainImage_NamesNothing()
    {
        var header = Read(QemuImg("plain.qcow2"));
        Assert.Equal(new Qcow2Header(3, 64UL << 20, null, null, false, null), header);
    }

    [Fact]
    public void BackingFileAndFormat_AreRead()
    {
        File.WriteAllBytes(Path.Combine(_dir, "host-file"), new byte[1 << 20]);
        var header = Read(QemuImg("over.qcow2", "-F", "raw", "-b", "/etc/hostname-not-opened", "-u"));
        Assert.Equal("/etc/hostname-not-opened", header.BackingFile);
        Assert.Equal("raw", header.BackingFormat);
        Assert.False(header.HasExternalDataFile);
    }

    [Fact]
    public void ExternalDataFile_BitAndNameAreRead()
    {
        var header = Read(QemuImg("data.qcow2", "-o", $"data_file={Path.Combine(_dir, "data.raw")},data_file_raw=on"));
        Assert.True(header.HasExternalDataFile);
        Assert.Equal(Path.Combine(_dir, "data.raw"), header.DataFile);
    }

    [Fact]
    public void Version2_BackingWithoutFormat()
    {
        var header = Read(QemuImg("v2.qcow2", "-o", "compat=0.10", "-F", "qcow2", "-b", "base.qcow2", "-u"));
        Assert.Equal(2u, header.Version);
        Assert.Equal("base.qcow2", header.BackingFile);
    }

    [Fact]
    public void BackingNameCutAtNul_AsQemuReadsIt()
    {
        var path = QemuImg("nul.qcow2", "-F", "raw", "-b", "/tmp/aaaaXbbbb", "-u");
        var bytes = File.ReadAllBytes(path);
        var offset = (int)BinaryPrimitives.ReadUInt64BigEndian(bytes.AsSpan(8));
        bytes[offset + 8] = 0; // "/tmp/aaa" NUL "Xbbbb"
        File.WriteAllBytes(path, bytes);
        Assert.Equal("/tmp/aaa", Read(path).BackingFile);
    }

    [Fact]
    public void ThroughADescriptor_ReadsTheSameHeaderAndLeavesItOpen()
    {
        var path = QemuImg("fd.qcow2", "-F", "raw", "-b", "/srv/base.raw", "-u");
        using var handle = File.OpenHandle(path);
        var header = Qcow2HeaderReader.Read(handle);
        Assert.Equal(Read(path), header);
        Assert.Equal("/srv/base.raw", header.BackingFile);
        // The caller's descriptor is still open and readable: a second read through it sees the same header.
        Assert.False(handle.IsClosed);
        Assert.Equal(header, Qcow2HeaderReader.Read(handle));
    }

    [Fact]
    public void ThroughADescriptor_NotQcow2_IsRefused()
    {
        var path = Path.Combine(_dir, "raw-fd.img");
        File.WriteAllBytes(path, new byte[4096]);
        using var handle = File.OpenHandle(path);
        Assert.Throws<InvalidDataException>(() => Qcow2HeaderReader.Read(handle));
        Assert.False(handle.IsClosed);
    }

    [Theory]
    [InlineData(0)] // empty file
    [InlineData(40)] // cut inside the fixed header
    public void Truncated_IsRefused(int length)
    {
        var path = QemuImg("cut.qcow2");
        var bytes = File.ReadAllBytes(path);
        File.WriteAllBytes(path, bytes[..length]);
        Assert.Throws<InvalidDataException>(() => Read(path));
    }

    [Fact]
    public void BackingNameBeyondEndOfFile_IsRefused()
    {
        var path = QemuImg("far.qcow2", "-F", "raw", "-b", "x", "-u");
        var bytes = File.ReadAllBytes(path);
        BinaryPrimitives.WriteUInt64BigEndian(bytes.AsSpan(8), 1UL << 40);
        File.WriteAllBytes(path, bytes);
        Assert.Throws<InvalidDataException>(() => Read(path));
    }

    [Fact]
    public void ExtensionLongerThanTheCluster_IsRefused()
    {
        var path = QemuImg("ext.qcow2", "-F", "raw", "-b", "x", "-u");
        var bytes = File.ReadAllBytes(path);
        var headerLength = (int)BinaryPrimitives.ReadUInt32BigEndian(bytes.AsSpan(100));
        // The first extension is the backing format; claim it runs far past the cluster.
        BinaryPrimitives.WriteUInt32BigEndian(bytes.AsSpan(headerLength + 4), 1 << 20);
        File.WriteAllBytes(path, bytes);
        Assert.Throws<InvalidDataException>(() => Read(path));
    }

    [Fact]
    public void NotQcow2_IsRefused()
    {
        var path = Path.Combine(_dir, "raw.img");
        File.WriteAllBytes(path, new byte[4096]);
        Assert.Throws<InvalidDataException>(() => Read(path));
    }
}
