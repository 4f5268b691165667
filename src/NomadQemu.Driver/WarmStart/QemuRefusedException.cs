namespace NomadQemu.Driver.WarmStart;

/// <summary>
/// QEMU answered a command on the migration channel with an error (the connection itself is fine). An
/// IOException, so callers that treat any channel failure alike still do; the resume loop retries only these.
/// </summary>
internal sealed class QemuRefusedException(string message) : IOException(message);
