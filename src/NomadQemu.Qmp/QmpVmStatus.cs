namespace NomadQemu.Qmp;

/// <summary>Result of <c>query-status</c>.</summary>
/// <param name="Status">QEMU's run state, e.g. "running", "paused", "shutdown", "prelaunch", "internal-error".</param>
/// <param name="Running">True when the guest's CPUs are executing.</param>
public sealed record QmpVmStatus(string Status, bool Running);
