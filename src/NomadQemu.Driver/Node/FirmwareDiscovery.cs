using NomadQemu.Core.Firmware;

namespace NomadQemu.Driver.Node;

/// <summary>
/// Finds the host's UEFI builds by reading the firmware descriptors the packages install (QEMU's
/// <c>docs/interop/firmware.json</c> convention, also used by libvirt), never by guessing file names: Debian's
/// <c>ovmf</c> ships <c>/usr/share/qemu/firmware/*.json</c> naming its OVMF_CODE/OVMF_VARS files. A file in
/// <c>/etc/qemu/firmware</c> replaces the packaged one of the same name (an empty one hides it), as QEMU defines.
/// </summary>
internal static class FirmwareDiscovery
{
    public static IReadOnlyList<string> DefaultDirectories { get; } =
    ["/etc/qemu/firmware", "/usr/share/qemu/firmware"];

    /// <summary>The usable UEFI descriptors in priority order (file name, lowest first); files that are missing are left out.</summary>
    public static IReadOnlyList<FirmwareDescriptor> Load(IReadOnlyList<string> directories)
    {
        // Earlier directories win for the same file name.
        var byName = new SortedDictionary<string, string>(StringComparer.Ordinal);
        foreach (var directory in directories)
        {
            if (!Directory.Exists(directory))
            {
                continue;
            }
            foreach (var file in Directory.EnumerateFiles(directory, "*.json"))
            {
                byName.TryAdd(Path.GetFileName(file), file);
            }
        }
        List<FirmwareDescriptor> found = [];
        foreach (var (name, file) in byName)
        {
            string json;
            try
            {
                json = File.ReadAllText(file);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                continue;
            }
            if (
                FirmwareDescriptor.Parse(name, json) is { } descriptor
                && File.Exists(descriptor.CodePath)
                && File.Exists(descriptor.VarsTemplatePath)
            )
            {
                found.Add(descriptor);
            }
        }
        return found;
    }
}
