using System.Text.Json;

namespace NomadQemu.Core.Firmware;

/// <summary>
/// One of QEMU's firmware descriptor files (<c>docs/interop/firmware.json</c>, installed by the firmware packages
/// under <c>/usr/share/qemu/firmware</c>): which interfaces it offers, the flash code and the variable store
/// template, and for which architectures, machines and features. Only flash-mapped UEFI builds are kept: the
/// driver maps code and variables as two pflash units.
/// </summary>
public sealed record FirmwareDescriptor(
    string Name,
    string CodePath,
    string VarsTemplatePath,
    IReadOnlyList<FirmwareTarget> Targets,
    IReadOnlySet<string> Features
)
{
    /// <summary>Implements Secure Boot and enforces it from the first boot (keys already enrolled).</summary>
    public bool EnforcesSecureBoot => Features.Contains("secure-boot") && Features.Contains("enrolled-keys");

    /// <summary>Needs System Management Mode (a secure-boot build keeps its variables away from the guest OS).</summary>
    public bool RequiresSmm => Features.Contains("requires-smm");

    /// <summary>
    /// Reads a descriptor; null when it is not a flash-mapped raw UEFI build (BIOS, memory-mapped, or another format),
    /// so an unusable or foreign descriptor never stops the others from being used.
    /// </summary>
    public static FirmwareDescriptor? Parse(string name, string json)
    {
        try
        {
            using var document = JsonDocument.Parse(json);
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object || !Strings(root, "interface-types").Contains("uefi"))
            {
                return null;
            }
            if (
                !root.TryGetProperty("mapping", out var mapping)
                || mapping.ValueKind != JsonValueKind.Object
                || Text(mapping, "device") != "flash"
                || RawFile(mapping, "executable") is not { } code
                || RawFile(mapping, "nvram-template") is not { } vars
            )
            {
                return null;
            }
            List<FirmwareTarget> targets = [];
            if (root.TryGetProperty("targets", out var list) && list.ValueKind == JsonValueKind.Array)
            {
                foreach (var target in list.EnumerateArray())
                {
                    if (target.ValueKind == JsonValueKind.Object && Text(target, "architecture") is { } arch)
                    {
                        targets.Add(new FirmwareTarget(arch, Strings(target, "machines")));
                    }
                }
            }
            return new FirmwareDescriptor(
                name,
                code,
                vars,
                targets,
                new HashSet<string>(Strings(root, "features"), StringComparer.Ordinal)
            );
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static string? RawFile(JsonElement mapping, string key) =>
        mapping.TryGetProperty(key, out var file)
        && file.ValueKind == JsonValueKind.Object
        && Text(file, "format") is null or "raw"
        && Text(file, "filename") is { Length: > 0 } path
        && Path.IsPathFullyQualified(path)
            ? path
            : null;

    private static string? Text(JsonElement element, string key) =>
        element.TryGetProperty(key, out var value) && value.ValueKind == JsonValueKind.String
            ? value.GetString()
            : null;

    private static List<string> Strings(JsonElement element, string key) =>
        element.TryGetProperty(key, out var value) && value.ValueKind == JsonValueKind.Array
            ? [.. value.EnumerateArray().Where(v => v.ValueKind == JsonValueKind.String).Select(v => v.GetString()!)]
            : [];
}
