using System.Diagnostics;

namespace NomadQemu.Artifacts.Tests;

/// <summary>
/// The local-source check compares device and inode read from struct statx at fixed offsets; a wrong layout
/// would compare padding and let a swapped file through, so the fields are checked against coreutils stat.
/// </summary>
public sealed class StatxLayoutTests
{
    [Fact]
    public void StatxBuffer_IsTheKernels256Bytes()
    {
        Assert.Equal(256, System.Runtime.CompilerServices.Unsafe.SizeOf<LinuxCalls.StatxBuffer>());
    }

    [Fact]
    public void Statx_OfAnOpenFile_ReportsTheSameDeviceInodeAndSizeAsStat()
    {
        var path = Path.Combine(Path.GetTempPath(), "nq-statx-" + Guid.NewGuid().ToString("N"));
        File.WriteAllBytes(path, new byte[12_345]);
        try
        {
            using var handle = File.OpenHandle(path);
            var mask = LinuxCalls.StatxType | LinuxCalls.StatxInode | LinuxCalls.StatxSize;
            Assert.Equal(0, LinuxCalls.Statx(handle, string.Empty, LinuxCalls.AtEmptyPath, mask, out var status));

            using var stat = Process.Start(
                new ProcessStartInfo("stat", ["-c", "%Hd %Ld %i %s", path]) { RedirectStandardOutput = true }
            )!;
            var expected = stat.StandardOutput.ReadToEnd().Trim();
            stat.WaitForExit();

            Assert.Equal(expected, $"{status.DevMajor} {status.DevMinor} {status.Inode} {status.Size}");
            Assert.Equal(LinuxCalls.TypeRegular, status.Mode & LinuxCalls.TypeMask);
        }
        finally
        {
            File.Delete(path);
        }
    }
}
