namespace NomadQemu.Qmp.GuestAgent;

/// <summary>Result of <c>guest-fsfreeze-status</c>.</summary>
public enum GuestFsfreezeStatus
{
    /// <summary>The guest's filesystems accept writes.</summary>
    Thawed,

    /// <summary>The guest's filesystems are frozen (writes block until thawed).</summary>
    Frozen,
}
