using NomadQemu.Core.Cty;

namespace NomadQemu.Core.Config;

/// <summary>
/// The task's <c>cloud_init { ... }</c> block: what goes into its NoCloud seed. Each document is given inline or
/// as a file in the task dir (so a <c>template</c> block can render it), never both. File names are only names
/// here: the driver opens them beneath the task's allowed roots, once, with a size bound.
/// </summary>
public sealed record CloudInitConfig
{
    public string? UserData { get; init; }
    public string? UserDataFile { get; init; }

    /// <summary>Merged over the driver's defaults (<c>instance-id</c>, <c>local-hostname</c>); a job value wins.</summary>
    public IReadOnlyList<KeyValuePair<string, string>> MetaData { get; init; } = [];

    public string? VendorData { get; init; }
    public string? VendorDataFile { get; init; }

    /// <summary>network-config v1 or v2 (no top-level <c>network:</c> key); replaces the driver's default.</summary>
    public string? NetworkConfig { get; init; }
    public string? NetworkConfigFile { get; init; }

    /// <summary>Every file name the block gives, with the full key that gave it (for guards and errors).</summary>
    public IEnumerable<(string Key, string Path)> Files()
    {
        foreach (
            var (key, path) in new[]
            {
                (TaskConfigSchema.CloudInitUserDataFile, UserDataFile),
                (TaskConfigSchema.CloudInitVendorDataFile, VendorDataFile),
                (TaskConfigSchema.CloudInitNetworkConfigFile, NetworkConfigFile),
            }
        )
        {
            if (path is not null)
            {
                yield return (FullKey(key), path);
            }
        }
    }

    public static string FullKey(string nestedKey) => $"{TaskConfigSchema.CloudInit}.{nestedKey}";

    /// <summary>Reads the coerced block; null when the job has no <c>cloud_init</c> block.</summary>
    /// <exception cref="ConfigException">A document given both inline and as a file; names both keys.</exception>
    internal static CloudInitConfig? FromCty(CtyValue block)
    {
        if (block is not CtyMap map)
        {
            return null;
        }
        ConfigReader read = new(map, TaskConfigSchema.CloudInit + ".");
        var config = new CloudInitConfig
        {
            UserData = Inline(map, TaskConfigSchema.CloudInitUserData),
            UserDataFile = read.OptionalString(TaskConfigSchema.CloudInitUserDataFile),
            MetaData = read.StringMap(TaskConfigSchema.CloudInitMetaData),
            VendorData = Inline(map, TaskConfigSchema.CloudInitVendorData),
            VendorDataFile = read.OptionalString(TaskConfigSchema.CloudInitVendorDataFile),
            NetworkConfig = Inline(map, TaskConfigSchema.CloudInitNetworkConfig),
            NetworkConfigFile = read.OptionalString(TaskConfigSchema.CloudInitNetworkConfigFile),
        };
        OneOf(
            TaskConfigSchema.CloudInitUserData,
            config.UserData,
            TaskConfigSchema.CloudInitUserDataFile,
            config.UserDataFile
        );
        OneOf(
            TaskConfigSchema.CloudInitVendorData,
            config.VendorData,
            TaskConfigSchema.CloudInitVendorDataFile,
            config.VendorDataFile
        );
        OneOf(
            TaskConfigSchema.CloudInitNetworkConfig,
            config.NetworkConfig,
            TaskConfigSchema.CloudInitNetworkConfigFile,
            config.NetworkConfigFile
        );
        return config;
    }

    // Inline documents keep "" as given (an empty user-data is a valid, present document); only null means absent.
    private static string? Inline(CtyMap map, string key) => map[key] is CtyString s ? s.Value : null;

    private static void OneOf(string inlineKey, string? inline, string fileKey, string? file)
    {
        if (inline is not null && file is not null)
        {
            throw ConfigException.ForKey(
                FullKey(inlineKey),
                $"give either \"{FullKey(inlineKey)}\" or \"{FullKey(fileKey)}\", not both"
            );
        }
    }
}
