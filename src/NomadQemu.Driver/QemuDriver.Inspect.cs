using System.Globalization;

namespace NomadQemu.Driver;

public sealed partial class QemuDriver
{
    /// <summary>Driver-specific facts for InspectTask's attributes.</summary>
    public IReadOnlyDictionary<string, string> Describe(string taskId)
    {
        var handle = Get(taskId);
        return new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["qemu_pid"] = handle.Qemu.Pid.ToString(CultureInfo.InvariantCulture),
            ["supervisor_pid"] = handle.Supervisor.Pid.ToString(CultureInfo.InvariantCulture),
            ["accelerator"] = handle.State.Accelerator,
            ["qmp_socket"] = handle.State.QmpSocket,
            ["disk"] = handle.State.OverlayPath ?? "in place",
            ["guest_agent"] = handle.Agent is { } agent ? agent.State.ToString().ToLowerInvariant() : "disabled",
            ["guest_addresses"] = handle.Agent?.Addresses.ToString() ?? "",
        };
    }

    /// <summary>Port label → guest port, Nomad's NetworkOverride port map.</summary>
    public IReadOnlyDictionary<string, int> GuestPorts(string taskId) => Get(taskId).State.GuestPorts;
}
