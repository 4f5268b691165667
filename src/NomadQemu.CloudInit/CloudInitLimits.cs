namespace NomadQemu.CloudInit;

/// <summary>
/// Upper bounds on what a job may put into its seed. Jobs are untrusted and the seed is built in the plugin's
/// memory (it runs as root on every client), so every input is bounded before it is read; callers reading a file
/// from the task dir should read at most the limit plus one byte and let <see cref="SeedBuilder"/> refuse it.
/// The user-data bound is far above what real first-boot configs need (cloud providers cap it at 16–64 KiB) and
/// leaves room for gzip'd MIME archives with scripts; meta-data and network-config are small maps by nature.
/// </summary>
public static class CloudInitLimits
{
    public const int MaxUserDataBytes = 16 * 1024 * 1024;
    public const int MaxVendorDataBytes = 16 * 1024 * 1024;
    public const int MaxMetaDataBytes = 64 * 1024;
    public const int MaxNetworkConfigBytes = 256 * 1024;

    /// <summary>Nesting depth of meta-data and network-config (mappings and sequences).</summary>
    public const int MaxYamlDepth = 32;

    /// <summary>Scalars, mappings and sequences in one meta-data or network-config document.</summary>
    public const int MaxYamlNodes = 10_000;

    /// <summary>Alloc ids and task names are hashed, never written raw, but are still bounded.</summary>
    public const int MaxIdentityLength = 1024;
}
