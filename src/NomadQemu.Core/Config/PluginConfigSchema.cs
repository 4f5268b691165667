using NomadQemu.Core.Config.Schema;

namespace NomadQemu.Core.Config;

/// <summary>
/// The <c>plugin "qemu" { config { ... } }</c> schema. The first three keys are the built-in driver's, unchanged,
/// so one plugin block serves both drivers.
/// </summary>
public static class PluginConfigSchema
{
    public const string ImagePaths = "image_paths";
    public const string ArgsAllowlist = "args_allowlist";
    public const string EmulatorsAllowlist = "emulators_allowlist";
    public const string KvmProbe = "kvm_probe";
    public const string StateDir = "state_dir";
    public const string Jail = "jail";
    public const string JailUidBase = "jail_uid_base";
    public const string JailUidCount = "jail_uid_count";
    public const string Sandbox = "sandbox";
    public const string WarmStartCacheMax = "warm_start_cache_max";

    /// <summary>Default bound on stored warm-start templates (RAM holes not counted).</summary>
    public const string DefaultWarmStartCacheMax = "8GiB";

    /// <summary>Default first uid of the jail range: above every distro's and systemd's allocation ranges, below 2^31.</summary>
    public const int DefaultJailUidBase = 2_000_000_000;
    public const int DefaultJailUidCount = 65_536;

    public static ObjectSchema Spec { get; } =
        new(
            new Dictionary<string, SchemaNode>
            {
                [ImagePaths] = new AttrSchema(ImagePaths, "list(string)"),
                [ArgsAllowlist] = new AttrSchema(ArgsAllowlist, "list(string)"),
                [EmulatorsAllowlist] = new AttrSchema(EmulatorsAllowlist, "list(string)"),
                [KvmProbe] = new DefaultSchema(new AttrSchema(KvmProbe, "bool"), "true"),
                [StateDir] = new AttrSchema(StateDir, "string"),
                [Jail] = new DefaultSchema(new AttrSchema(Jail, "bool"), "true"),
                [JailUidBase] = new AttrSchema(JailUidBase, "number"),
                [JailUidCount] = new AttrSchema(JailUidCount, "number"),
                [Sandbox] = new DefaultSchema(new AttrSchema(Sandbox, "bool"), "true"),
                [WarmStartCacheMax] = new AttrSchema(WarmStartCacheMax, "string"),
            }
        );
}
