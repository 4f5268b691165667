namespace NomadQemu.Driver.GuestAgent;

/// <summary>A change the watcher reports; the driver turns each into a task event.</summary>
internal abstract record GuestAgentChange
{
    /// <summary>The agent answered for the first time; <paramref name="SinceStart"/> counts from QEMU's start.</summary>
    public sealed record FirstUp(TimeSpan SinceStart) : GuestAgentChange;

    /// <summary>The agent stopped answering, or the VM was reset under it.</summary>
    public sealed record Gone(string Why) : GuestAgentChange;

    /// <summary>The agent answers again after being gone.</summary>
    public sealed record Back(TimeSpan Absent) : GuestAgentChange;

    /// <summary>The guest's addresses were read and differ from the last ones reported.</summary>
    public sealed record Addresses(GuestAddressList List) : GuestAgentChange;
}
