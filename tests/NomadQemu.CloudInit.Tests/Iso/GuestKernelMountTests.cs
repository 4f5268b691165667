using System.Security.Cryptography;
using System.Text.RegularExpressions;
using NomadQemu.CloudInit.Tests.Support;

namespace NomadQemu.CloudInit.Tests.Iso;

/// <summary>The seed mounted read-only by a real Linux kernel (see <see cref="GuestKernelProbe"/> for why a guest's).</summary>
public sealed class GuestKernelMountTests
{
    [Fact]
    public async Task GuestKernel_SeedAsCdromAndVirtioDisk_MountsReadOnlyWithRealNamesModesAndBytes()
    {
        var seed = Seeds.Typical();
        using var disk = new SeedOnDisk(seed);

        var lines = await GuestKernelProbe.MountAsync(disk.ImagePath);

        var expected = new Dictionary<string, byte[]>
        {
            ["meta-data"] = seed.MetaData,
            ["network-config"] = seed.NetworkConfig!,
            ["user-data"] = seed.UserData,
            ["vendor-data"] = seed.VendorData!,
        };
        var report = string.Join('\n', lines);
        Assert.DoesNotContain("sr0 mount-failed", lines);
        foreach (var device in new[] { "sr0", "vda", "joliet" })
        {
            Assert.DoesNotContain($"{device} mount-failed", lines);
            Assert.DoesNotContain($"{device} writable", lines);
            var mount = Line(lines, $"{device} mount ", report);
            Assert.Matches($@"/mnt/{device} iso9660 ro[ ,]", mount);
            // The kernel turns Joliet off when it finds Rock Ridge, so sr0 and vda names came from Rock Ridge;
            // with norock they come from Joliet (and modes are the mount's default, 0444 for files when read-only).
            if (device != "joliet")
            {
                Assert.Contains("nojoliet", mount, StringComparison.Ordinal);
            }
            var files = lines.Where(l => l.StartsWith($"{device} file ", StringComparison.Ordinal)).ToArray();
            Assert.Equal(expected.Count, files.Length);
            foreach (var (name, bytes) in expected)
            {
                var sha = Convert.ToHexStringLower(SHA256.HashData(bytes));
                var mode = device == "joliet" ? "[0-7]+" : "444";
                Assert.True(
                    files.Any(f => Regex.IsMatch(f, $"^{device} file {name} {mode} {sha}$")),
                    $"{device}/{name} not as written:\n{report}"
                );
            }
        }
        Assert.DoesNotContain(lines, l => l.Contains("insmod", StringComparison.Ordinal));
    }

    private static string Line(IReadOnlyList<string> lines, string prefix, string report) =>
        lines.FirstOrDefault(l => l.StartsWith(prefix, StringComparison.Ordinal))
        ?? throw new Xunit.Sdk.XunitException($"the guest printed no \"{prefix}\" line:\n{report}");
}
