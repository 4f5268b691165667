namespace NomadQemu.Driver.Jail;

/// <summary>
/// How a jailed QEMU's end is recorded. The supervisor can only waitpid bwrap (QEMU is bwrap's child), and
/// bwrap reports a child killed by signal n as exit code 128 + n. QEMU itself only ever exits with small codes
/// (0, 1, or what a guest writes to isa-debug-exit, at most 255 only when a job adds that device), so a code in
/// 129..192 from bwrap is read back as "killed by signal code - 128". A job whose guest writes such a code to
/// isa-debug-exit would be misreported as a signal: the one ambiguity, documented in the README.
/// </summary>
internal static class JailExit
{
    private const int SignalBase = 128;
    private const int MaxSignal = 64;

    /// <summary>(exit code, signal) for a bwrap exit code.</summary>
    public static (int ExitCode, int Signal) FromBwrapExitCode(int code) =>
        code > SignalBase && code <= SignalBase + MaxSignal ? (code, code - SignalBase) : (code, 0);
}
