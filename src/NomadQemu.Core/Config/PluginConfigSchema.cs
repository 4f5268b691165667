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

    public static ObjectSchema Spec { get; } =
        new(
            new Dictionary<string, SchemaNode>
            {
                [ImagePaths] = new AttrSchema(ImagePaths, "list(string)"),
                [ArgsAllowlist] = new AttrSchema(ArgsAllowlist, "list(string)"),
                [EmulatorsAllowlist] = new AttrSchema(EmulatorsAllowlist, "list(string)"),
                [KvmProbe] = new DefaultSchema(new AttrSchema(KvmProbe, "bool"), "true"),
                [StateDir] = new AttrSchema(StateDir, "string"),
            }
        );
}
