using System.CommandLine;

namespace NomadQemu.Plugin;

/// <summary>Plugin mode: parse the operator's <c>plugin "qemu" { args = [...] }</c>, then serve.</summary>
internal static class PluginEntry
{
    public static async Task<int> RunAsync(string[] args)
    {
        if (!Handshake.ClientSupportsOurProtocol(Environment.GetEnvironmentVariable("PLUGIN_PROTOCOL_VERSIONS")))
        {
            await Console.Error.WriteLineAsync(
                "nomad-driver-qemu: the Nomad client offers no plugin protocol version this driver speaks (want 2); upgrade Nomad to 0.9 or later"
            );
            return 1;
        }

        var name = new Option<string>("--driver-name")
        {
            Description = "Driver name jobs use (driver = \"...\"); \"qemu\" replaces Nomad's built-in driver.",
            DefaultValueFactory = _ => PluginOptions.DefaultDriverName,
        };
        var level = new Option<LogLevel>("--log-level")
        {
            Description = "Lowest level logged to the agent (the agent's own log_level still filters).",
            DefaultValueFactory = _ => LogLevel.Trace,
        };
        var root = new RootCommand("nomad-driver-qemu plugin mode") { name, level };
        var parsed = root.Parse(args);
        if (parsed.Errors.Count > 0)
        {
            foreach (var error in parsed.Errors)
            {
                await Console.Error.WriteLineAsync($"nomad-driver-qemu: bad plugin args: {error.Message}");
            }
            return 1;
        }
        var driverName = parsed.GetValue(name)!;
        if (string.IsNullOrWhiteSpace(driverName))
        {
            await Console.Error.WriteLineAsync("nomad-driver-qemu: --driver-name must not be empty");
            return 1;
        }
        return await PluginHost.RunAsync(new PluginOptions(driverName, parsed.GetValue(level)));
    }
}
