namespace NomadQemu.Core.Qemu;

/// <summary>An inherited descriptor QEMU adds to an fd set at start (<c>-add-fd fd=Fd,set=Set</c>).</summary>
public sealed record FdSetMember(int Fd, int Set);
