using NomadQemu.CloudInit.Identity;
using NomadQemu.CloudInit.Network;

namespace NomadQemu.CloudInit;

/// <summary>
/// Turns a <see cref="SeedRequest"/> into the seed's files, checking and bounding every job input. Nothing here
/// logs, and no error message quotes user-data or vendor-data (they may hold secrets).
/// </summary>
public static class SeedBuilder
{
    /// <exception cref="CloudInitException">An input is refused; the message names the part and the rule.</exception>
    public static CloudInitSeed Build(SeedRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        var userData = Bounded(request.UserData, SeedFileNames.UserData, CloudInitLimits.MaxUserDataBytes);
        var vendorData = request.VendorData is { } vendor
            ? Bounded(vendor, SeedFileNames.VendorData, CloudInitLimits.MaxVendorDataBytes)
            : null;

        var metaData = MetaDataDocument.Build(
            request.MetaData ?? [],
            SeedIdentity.InstanceId(request.AllocId, request.TaskName),
            SeedIdentity.Hostname(request.AllocId, request.TaskName)
        );

        byte[]? networkConfig = null;
        if (request.NetworkConfig is { } jobNetwork)
        {
            NetworkConfigCheck.Check(jobNetwork);
            networkConfig = jobNetwork;
        }
        else if (request.DefaultNetwork is { } defaultNetwork)
        {
            networkConfig = defaultNetwork.Render();
        }

        return new CloudInitSeed
        {
            UserData = userData,
            MetaData = metaData,
            VendorData = vendorData,
            NetworkConfig = networkConfig,
        };
    }

    private static byte[] Bounded(byte[]? data, string part, int maxBytes)
    {
        var bytes = data ?? [];
        if (bytes.Length > maxBytes)
        {
            throw new CloudInitException(part, $"is {bytes.Length} bytes, over the limit of {maxBytes} bytes");
        }
        return bytes;
    }
}
