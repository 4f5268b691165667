using NomadQemu.Cli;
using NomadQemu.Driver;
using NomadQemu.Plugin;

// Nomad launches plugins with its magic cookie in the environment; everything else is a human or a
// supervisor re-exec. The cookie decides, never argv: Nomad may pass operator-chosen args.
if (Handshake.HasMagicCookie(Environment.GetEnvironmentVariable))
{
    return await PluginEntry.RunAsync(args);
}

// A human's commands: Ctrl-C / kill -INT must work even when a shell started us with SIGINT ignored (a
// background job of a script). Done first, before the runtime installs its own handlers and sees SIG_IGN.
InheritedSignals.RestoreInterrupt();
return await CliApp.RunAsync(args);
