using System.Text.Json;

namespace NomadQemu.Qmp;

/// <summary>Something QEMU sent, already classified and detached from its <see cref="JsonDocument"/>.</summary>
internal abstract record QmpInboundMessage;
