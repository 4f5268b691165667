namespace NomadQemu.Driver.Jail;

/// <summary>
/// The descriptor numbers the supervisor's child receives its listening sockets and the bwrap info pipe at.
/// The driver writes them into QEMU's command line before the supervisor exists, so they are fixed; high
/// enough to stay clear of stdio and of any descriptor the supervisor passes through at its own number.
/// </summary>
internal static class InheritedFds
{
    public const int QmpSocket = 1000;
    public const int GuestAgentSocket = 1001;
    public const int JailInfo = 1002;
}
