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

    /// <summary>Keys the schema does not know (Nomad refuses them before encoding; kept for diagnostics).</summary>
    public IReadOnlyDictionary<string, CtyValue> UnknownKeys { get; init; } = new Dictionary<string, CtyValue>();

    public static PluginConfig Default { get; } = new();

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
        return new PluginConfig
        {
            ImagePaths = read.StringList(PluginConfigSchema.ImagePaths),
            ArgsAllowlist = argsAllowlist,
            EmulatorsAllowlist = read.StringList(PluginConfigSchema.EmulatorsAllowlist),
            KvmProbe = read.Bool(PluginConfigSchema.KvmProbe, whenAbsent: true),
            StateDir = read.OptionalString(PluginConfigSchema.StateDir),
            UnknownKeys = unknown,
        };
    }
}
