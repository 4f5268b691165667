namespace NomadQemu.Core.Firmware;

/// <summary>
/// The x86 PC machine a <c>machine_type</c> names. UEFI is only offered on these two: the descriptors list their
/// versioned names (<c>pc-i440fx-*</c>, <c>pc-q35-*</c>) and the aliases <c>pc</c>/<c>q35</c> stand for the newest.
/// </summary>
public enum MachineFamily
{
    Other,
    I440fx,
    Q35,
}

/// <summary>Maps a machine type to its <see cref="MachineFamily"/> and to a name descriptor globs can match.</summary>
public static class MachineFamilies
{
    public static MachineFamily Of(string machineType) =>
        machineType switch
        {
            "pc" => MachineFamily.I440fx,
            "q35" => MachineFamily.Q35,
            _ when machineType.StartsWith("pc-i440fx-", StringComparison.Ordinal) => MachineFamily.I440fx,
            _ when machineType.StartsWith("pc-q35-", StringComparison.Ordinal) => MachineFamily.Q35,
            _ => MachineFamily.Other,
        };

    /// <summary>The versioned spelling of an alias (any version: descriptors glob on the prefix); others unchanged.</summary>
    public static string VersionedName(string machineType) =>
        machineType switch
        {
            "pc" => "pc-i440fx-0",
            "q35" => "pc-q35-0",
            _ => machineType,
        };
}
