namespace NomadQemu.CloudInit;

/// <summary>
/// The file names cloud-init's NoCloud datasource looks for at the root of the CIDATA filesystem. It requires
/// <see cref="UserData"/> and <see cref="MetaData"/> (a seed missing either is ignored), the other two are optional.
/// Error messages name the file at fault by these names.
/// </summary>
public static class SeedFileNames
{
    public const string UserData = "user-data";
    public const string MetaData = "meta-data";
    public const string VendorData = "vendor-data";
    public const string NetworkConfig = "network-config";
}
