using NomadQemu.Cli;
using NomadQemu.Plugin;

// Nomad launches plugins with its magic cookie in the environment; everything else is a human or a
// supervisor re-exec. The cookie decides, never argv: Nomad may pass operator-chosen args.
if (Handshake.HasMagicCookie(Environment.GetEnvironmentVariable))
{
    return await PluginEntry.RunAsync(args);
}
return await CliApp.RunAsync(args);
