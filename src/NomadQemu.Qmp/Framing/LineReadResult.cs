namespace NomadQemu.Qmp.Framing;

/// <summary>One outcome of <see cref="LineReader.ReadLineAsync"/>.</summary>
/// <param name="Status">What was found.</param>
/// <param name="Line">The line's bytes without "\n" (only for <see cref="LineReadStatus.Line"/>); valid until the next read.</param>
/// <param name="Length">The line's length, or for <see cref="LineReadStatus.TooLong"/> how many bytes came without a newline.</param>
internal readonly record struct LineReadResult(LineReadStatus Status, ReadOnlyMemory<byte> Line, int Length);
