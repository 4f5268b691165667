namespace NomadQemu.Qmp.GuestAgent;

/// <summary>Result of <c>guest-file-read</c>.</summary>
/// <param name="Data">The bytes read (possibly fewer than asked for).</param>
/// <param name="EndOfFile">True when the read reached the end of the file.</param>
public sealed record GuestFileReadResult(byte[] Data, bool EndOfFile);
