namespace NomadQemu.Core.WarmStart;

/// <summary>
/// When a freshly booted VM is worth freezing as a template: exactly one condition. The state a clone resumes
/// is the state of that moment, so it should be "the service is up", not "the kernel started".
/// </summary>
/// <param name="GuestAgent">The guest agent answers a ping (needs <c>guest_agent = true</c>).</param>
/// <param name="GuestPort">A TCP port in the guest accepts and keeps a connection (must be in <c>port_map</c> or the group's ports).</param>
/// <param name="Delay">A fixed time after QEMU started.</param>
public sealed record WarmReadiness(bool GuestAgent, int? GuestPort, TimeSpan? Delay)
{
    /// <summary>Canonical text for the template key.</summary>
    public string Describe() =>
        GuestAgent ? "guest_agent"
        : GuestPort is { } port ? $"guest_port={port}"
        : $"delay={Delay!.Value.TotalMilliseconds}ms";
}
