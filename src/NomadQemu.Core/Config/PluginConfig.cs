using NomadQemu.Core.Cty;

namespace NomadQemu.Core.Config;

/// <summary>Operator settings from the agent's <c>plugin "qemu" { config { ... } }</c> block.</summary>
public sealed record PluginConfig
{
    /// <summary>Host directories (besides the alloc dir) that images, kernels and initrds may come from. Default none.</summary>
    public IReadOnlyList<string> ImagePaths { get; init; } = [];

    /// <summary>
    /// What a job's <c>args</c> may use beyond the default policy (see <see cref="Validation.Args.ArgsAllowlistEntry"/>).
    /// Empty: every option and value that neither reaches the host nor belongs to the driver.
    /// </summary>
    public IReadOnlyList<string> ArgsAllowlist { get; init; } = [];

    /// <summary>The only emulator arches (<c>x86_64</c>, <c>aarch64</c>) fingerprinted and usable. Empty allows all found.</summary>
    public IReadOnlyList<string> EmulatorsAllowlist { get; init; } = [];

    /// <summary>Whether fingerprinting checks that KVM is usable, so <c>accelerator = "auto"</c> can pick it. Default true.</summary>
    public bool KvmProbe { get; init; } = true;

    /// <summary>Where the driver keeps per-task state files; null lets the driver choose.</summary>
    public string? StateDir { get; init; }

    /// <summary>Whether QEMU runs jailed (unprivileged uid, own mount/pid namespaces, minimal root). Default true.</summary>
    public bool Jail { get; init; } = true;

    /// <summary>First uid (and gid) of the range jailed VMs get one each from; the first one is the KVM probe's.</summary>
    public int JailUidBase { get; init; } = PluginConfigSchema.DefaultJailUidBase;

    /// <summary>How many uids the range holds: at most this many jailed VMs (minus the probe's) run at once.</summary>
    public int JailUidCount { get; init; } = PluginConfigSchema.DefaultJailUidCount;

    /// <summary>Whether QEMU runs under its seccomp filter (<c>-sandbox on,...</c>). Default true.</summary>
    public bool Sandbox { get; init; } = true;

    /// <summary>Bytes the warm-start template cache may hold before least recently used templates are evicted.</summary>
    public long WarmStartCacheMaxBytes { get; init; } = 8L << 30;

    /// <summary>Keys the schema does not know (Nomad refuses them before encoding; kept for diagnostics).</summary>
    public IReadOnlyDictionary<string, CtyValue> UnknownKeys { get; init; } = new Dictionary<string, CtyValue>();

    public static PluginConfig Default { get; } = new();

    private static long CacheBound(string? text)
    {
        if (text is null)
        {
            return 8L << 30;
        }
        return ByteSize.TryParse(text, out var bytes) && bytes >= 0
            ? bytes
            : throw ConfigException.ForKey(
                PluginConfigSchema.WarmStartCacheMax,
                $"must be a size such as \"8GiB\" or \"500MB\" (0 keeps only the newest template), got \"{text}\""
            );
    }

    // Below 65,536 live the distro's system and login users and systemd's dynamic users: never hand those out.
    private const int MinJailUid = 65_536;

    // One uid for the KVM probe and at least one for a VM.
    private const int MinJailUidCount = 2;
    private const int MaxJailUidCount = 16_777_216;

    /// <summary>Decodes SetConfig's <c>msgpack_config</c>; empty bytes give <see cref="Default"/> values.</summary>
    /// <exception cref="ConfigException">Malformed bytes or a bad value; the message names the key.</exception>
    public static PluginConfig Decode(ReadOnlyMemory<byte> msgpack) => FromCty(CtyMsgpack.Decode(msgpack));

    /// <exception cref="ConfigException">A bad value; the message names the key.</exception>
    public static PluginConfig FromCty(CtyValue raw)
    {
        Dictionary<string, CtyValue> unknown = new(StringComparer.Ordinal);
        ConfigReader read = new(ConfigCoercion.Coerce(raw, PluginConfigSchema.Spec, unknown));
        var argsAllowlist = read.StringList(PluginConfigSchema.ArgsAllowlist);
        _ = Validation.Args.ArgsAllowlist.Parse(argsAllowlist); // refuse a malformed entry at SetConfig, not at the first job
        var config = new PluginConfig
        {
            ImagePaths = read.StringList(PluginConfigSchema.ImagePaths),
            ArgsAllowlist = argsAllowlist,
            EmulatorsAllowlist = read.StringList(PluginConfigSchema.EmulatorsAllowlist),
            KvmProbe = read.Bool(PluginConfigSchema.KvmProbe, whenAbsent: true),
            StateDir = read.OptionalString(PluginConfigSchema.StateDir),
            Jail = read.Bool(PluginConfigSchema.Jail, whenAbsent: true),
            JailUidBase =
                read.OptionalInt(PluginConfigSchema.JailUidBase, MinJailUid, int.MaxValue - MinJailUidCount)
                ?? PluginConfigSchema.DefaultJailUidBase,
            JailUidCount =
                read.OptionalInt(PluginConfigSchema.JailUidCount, MinJailUidCount, MaxJailUidCount)
                ?? PluginConfigSchema.DefaultJailUidCount,
            Sandbox = read.Bool(PluginConfigSchema.Sandbox, whenAbsent: true),
            WarmStartCacheMaxBytes = CacheBound(read.OptionalString(PluginConfigSchema.WarmStartCacheMax)),
            UnknownKeys = unknown,
        };
        if ((long)config.JailUidBase + config.JailUidCount > int.MaxValue)
        {
            throw ConfigException.ForKey(
                PluginConfigSchema.JailUidCount,
                $"the range {config.JailUidBase} + {config.JailUidCount} goes past {int.MaxValue} (uids above 2^31 - 1 confuse many tools)"
            );
        }
        return config;
    }
}
