namespace NomadQemu.Qmp;

internal sealed record QmpEventMessage(QmpEvent Event) : QmpInboundMessage;
