using NomadQemu.Core.Validation.Args;

namespace NomadQemu.Core.Firmware;

/// <summary>
/// Picks the UEFI build for a task from the host's descriptors, in QEMU's own order (file name, lowest first),
/// the way libvirt does: the first that fits the architecture and machine and has exactly the wanted Secure Boot.
/// </summary>
public static class FirmwareSelector
{
    /// <summary>The build to use, or null when the host has none that fits.</summary>
    public static FirmwareDescriptor? Select(
        IEnumerable<FirmwareDescriptor> descriptors,
        string architecture,
        string machineType,
        bool secureBoot
    )
    {
        var machine = MachineFamilies.VersionedName(machineType);
        return descriptors
            .Where(d => Fits(d, architecture, machine))
            // Without Secure Boot: a plain build (no SMM needed, so pc works too). With it: one that enforces it.
            .FirstOrDefault(d => secureBoot ? d.EnforcesSecureBoot : !d.Features.Contains("secure-boot"));
    }

    private static bool Fits(FirmwareDescriptor descriptor, string architecture, string machine) =>
        descriptor.Targets.Any(t =>
            t.Architecture == architecture && t.Machines.Any(pattern => Glob.Matches(pattern, machine))
        );
}
