using NomadQemu.Driver.Tasks;

namespace NomadQemu.Driver;

/// <summary>
/// What a command run in the guest produced. <see cref="TimedOut"/>: the deadline passed and the command was
/// killed in the guest; <see cref="Exit"/> then says exit code -1, signal 9 (what Nomad's executor reports for a
/// script check it killed at its deadline).
/// </summary>
public sealed record ExecOutcome(byte[] Stdout, byte[] Stderr, TaskExit Exit, bool TimedOut);
