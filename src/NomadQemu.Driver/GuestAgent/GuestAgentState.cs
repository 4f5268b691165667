namespace NomadQemu.Driver.GuestAgent;

/// <summary>What the driver last saw of a task's guest agent.</summary>
internal enum GuestAgentState
{
    /// <summary>It has not answered yet since the task started (or the plugin re-attached).</summary>
    Waiting,

    /// <summary>It answered the last ping.</summary>
    Up,

    /// <summary>It answered before and then stopped (guest reboot, agent restart, guest hung).</summary>
    Gone,
}
