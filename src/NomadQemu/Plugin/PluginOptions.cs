namespace NomadQemu.Plugin;

/// <summary>
/// What the operator can set through <c>plugin "qemu" { args = [...] }</c>. These come before any
/// config: PluginInfo is the first RPC, so the driver name cannot live in the config block.
/// </summary>
internal sealed record PluginOptions(string DriverName, LogLevel LogLevel)
{
    public const string DefaultDriverName = "qemu";
}
