namespace NomadQemu.Driver;

/// <summary>A task event for Nomad's event stream (shown in <c>nomad alloc status</c> as type "Driver").</summary>
public sealed record DriverEvent(
    string TaskId,
    string AllocId,
    string TaskName,
    DateTimeOffset Timestamp,
    string Message,
    IReadOnlyDictionary<string, string> Annotations
);
