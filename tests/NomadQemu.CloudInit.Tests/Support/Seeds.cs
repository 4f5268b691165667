using System.IO.Compression;
using System.Text;
using NomadQemu.CloudInit.Network;

namespace NomadQemu.CloudInit.Tests.Support;

/// <summary>Seeds and inputs the tests share.</summary>
internal static class Seeds
{
    public const string AllocId = "0b3c6d0e-2f7a-4c8e-9d21-5b1f0e6a7c44";
    public const string TaskName = "web";

    public static readonly MacAddress Mac = MacAddress.Parse("52:54:00:12:34:56");

    public static byte[] Utf8(string text) => Encoding.UTF8.GetBytes(text);

    public static byte[] CloudConfig =>
        Utf8("#cloud-config\npackages: [htop]\nruncmd:\n  - [sh, -c, 'echo hello > /run/hello']\n");

    /// <summary>Random bytes (not text): user-data may be gzip or anything else and must arrive byte-exact.</summary>
    public static byte[] RandomBytes(int length, int seed)
    {
        var bytes = new byte[length];
        new Random(seed).NextBytes(bytes);
        return bytes;
    }

    public static byte[] Gzip(byte[] data)
    {
        var output = new MemoryStream();
        using (var gzip = new GZipStream(output, CompressionLevel.Optimal, leaveOpen: true))
        {
            gzip.Write(data);
        }
        return output.ToArray();
    }

    /// <summary>All four files, built the way the driver will build them.</summary>
    public static CloudInitSeed Typical(string? metaData = null) =>
        SeedBuilder.Build(
            new SeedRequest
            {
                AllocId = AllocId,
                TaskName = TaskName,
                UserData = CloudConfig,
                MetaData = metaData is null ? null : Utf8(metaData),
                VendorData = Utf8("#cloud-config\ntimezone: Etc/UTC\n"),
                DefaultNetwork = new UserNetworkConfig { MacAddress = Mac },
            }
        );
}
