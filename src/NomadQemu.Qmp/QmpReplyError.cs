namespace NomadQemu.Qmp;

internal sealed record QmpReplyError(string ErrorClass, string Description);
