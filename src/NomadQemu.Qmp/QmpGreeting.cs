namespace NomadQemu.Qmp;

/// <summary>What QEMU announced when the connection opened.</summary>
/// <param name="Version">The QEMU version.</param>
/// <param name="Capabilities">Optional protocol capabilities the server offers, e.g. "oob". None is enabled by this client.</param>
public sealed record QmpGreeting(QmpVersion Version, IReadOnlyList<string> Capabilities);
