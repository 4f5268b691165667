namespace NomadQemu.CloudInit;

/// <summary>
/// The four files of a NoCloud seed, exactly as they will appear in the image. <see cref="SeedBuilder"/> makes one
/// from a job's inputs (checking and bounding them); the image writers take any instance as given.
/// <see cref="UserData"/> and <see cref="MetaData"/> are always written (cloud-init ignores a seed without both);
/// a null <see cref="VendorData"/> or <see cref="NetworkConfig"/> leaves that file out.
/// </summary>
public sealed class CloudInitSeed
{
    public required byte[] UserData { get; init; }
    public required byte[] MetaData { get; init; }
    public byte[]? VendorData { get; init; }
    public byte[]? NetworkConfig { get; init; }

    /// <summary>The files to write, by name, in no particular order.</summary>
    internal IEnumerable<(string Name, byte[] Data)> Files()
    {
        yield return (SeedFileNames.UserData, UserData);
        yield return (SeedFileNames.MetaData, MetaData);
        if (VendorData is not null)
        {
            yield return (SeedFileNames.VendorData, VendorData);
        }
        if (NetworkConfig is not null)
        {
            yield return (SeedFileNames.NetworkConfig, NetworkConfig);
        }
    }
}
