namespace NomadQemu.Qmp;

internal sealed record QmpGreetingMessage(QmpGreeting Greeting) : QmpInboundMessage;
