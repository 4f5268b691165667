namespace NomadQemu.Driver;

/// <summary>The result of a successful StartTask: what Nomad persists and the guest ports to advertise.</summary>
public sealed record StartedTask(byte[] DriverState, IReadOnlyDictionary<string, int> GuestPorts);
