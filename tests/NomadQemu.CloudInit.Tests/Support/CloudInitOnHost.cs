using System.Text.Json;
using NomadQemu.TestKit;

namespace NomadQemu.CloudInit.Tests.Support;

/// <summary>
/// cloud-init's own code on the host (Debian's cloud-init package, installed by scripts/install-deps.sh): its
/// NoCloud datasource, its YAML loader, its network-config renderers and its cloud-config schema check.
/// </summary>
internal static class CloudInitOnHost
{
    // Debian's interpreter, where the cloud-init package installs its modules (PATH may hold another python3).
    private const string Python = "/usr/bin/python3";

    private static string Probe => Path.Combine(AppContext.BaseDirectory, "Support", "cloudinit_probe.py");

    /// <summary>Runs the NoCloud datasource over a copy of <paramref name="seedFiles"/> as its seed dir.</summary>
    public static async Task<JsonElement> ReadSeedAsync(string seedFiles)
    {
        using var cloudDir = new ShortTempDir();
        var nocloud = Directory.CreateDirectory(Path.Combine(cloudDir.Path, "seed", "nocloud")).FullName;
        foreach (var file in Directory.GetFiles(seedFiles))
        {
            File.Copy(file, Path.Combine(nocloud, Path.GetFileName(file)));
        }
        var result = await ExternalTool.RunCheckedAsync(Python, Probe, "seed", cloudDir.Path);
        return JsonDocument.Parse(result.Stdout).RootElement.Clone();
    }

    /// <summary>cloud-init's <c>util.load_yaml</c> over the bytes; each leaf as [python type, str(value)].</summary>
    public static async Task<JsonElement> LoadYamlAsync(byte[] yaml)
    {
        using var dir = new ShortTempDir();
        var path = Path.Combine(dir.Path, "doc.yaml");
        await File.WriteAllBytesAsync(path, yaml);
        var result = await ExternalTool.RunCheckedAsync(Python, Probe, "yaml", path);
        return JsonDocument.Parse(result.Stdout).RootElement.GetProperty("loaded").Clone();
    }

    /// <summary><c>cloud-init devel net-convert</c> to one renderer; returns every file it wrote, concatenated.</summary>
    public static async Task<string> NetConvertAsync(byte[] networkConfig, string outputKind)
    {
        using var dir = new ShortTempDir();
        var input = Path.Combine(dir.Path, "network-config");
        await File.WriteAllBytesAsync(input, networkConfig);
        var output = Path.Combine(dir.Path, "out");
        await ExternalTool.RunCheckedAsync(
            "cloud-init",
            "devel",
            "net-convert",
            "--network-data",
            input,
            "--kind",
            "yaml",
            "--distro",
            "debian",
            "--directory",
            output,
            "--output-kind",
            outputKind
        );
        return string.Concat(
            Directory
                .GetFiles(output, "*", SearchOption.AllDirectories)
                .Order(StringComparer.Ordinal)
                .Select(f => $"== {Path.GetRelativePath(output, f)}\n{File.ReadAllText(f)}")
        );
    }

    /// <summary><c>cloud-init schema --config-file</c>: exit code and what it printed.</summary>
    public static async Task<ExternalTool.Result> SchemaAsync(string path) =>
        await ExternalTool.RunAsync("cloud-init", "schema", "--config-file", path);
}
