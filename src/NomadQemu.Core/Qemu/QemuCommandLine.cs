namespace NomadQemu.Core.Qemu;

/// <summary>
/// A QEMU invocation: feed <see cref="Arguments"/> to <c>ProcessStartInfo.ArgumentList</c>, never join them.
/// <see cref="Warnings"/> are things the job asked for that could not be honoured (for task events).
/// </summary>
public sealed record QemuCommandLine(
    string Executable,
    IReadOnlyList<string> Arguments,
    IReadOnlyList<string> Warnings
);
