using System.Text.RegularExpressions;
using NomadQemu.TestKit;

namespace NomadQemu.E2E.Tests.FirstBoot;

/// <summary>Reads the test guest's console report lines (scripts/guest/init): disks and the CIDATA seed.</summary>
internal static partial class GuestConsole
{
    /// <summary>Waits for the guest's CIDATA line (printed after the disk lines) and returns the whole console.</summary>
    public static async Task<string> WaitForReportAsync(VmTask task, TimeSpan timeout, CancellationToken ct)
    {
        await task.Stdout.WaitForAsync("TEST-GUEST-CIDATA ", timeout, ct);
        // The marker may arrive before the rest of its line.
        await task.Stdout.WaitForAsync("TEST-GUEST-POWER-BUTTON", timeout, ct);
        return task.Stdout.Text;
    }

    /// <summary>The fields of the one <c>TEST-GUEST-CIDATA</c> line (<c>none</c> gives an empty map).</summary>
    public static IReadOnlyDictionary<string, string> Seed(string console) =>
        Fields(Line(console, "TEST-GUEST-CIDATA "));

    /// <summary>Every disk the guest saw: name → fields (size in 512-byte sectors, ro, serial).</summary>
    public static IReadOnlyDictionary<string, IReadOnlyDictionary<string, string>> Disks(string console) =>
        console
            .Split('\n')
            .Select(l => l.Trim())
            .Where(l => l.StartsWith("TEST-GUEST-BLOCK ", StringComparison.Ordinal))
            .Select(l => l["TEST-GUEST-BLOCK ".Length..])
            .ToDictionary(l => l.Split(' ')[0], l => Fields(l));

    private static string Line(string console, string prefix) =>
        console.Split('\n').Select(l => l.Trim()).SingleOrDefault(l => l.StartsWith(prefix, StringComparison.Ordinal))
        ?? throw new InvalidOperationException($"no \"{prefix}\" line on the console:\n{console}");

    private static IReadOnlyDictionary<string, string> Fields(string line) =>
        FieldPattern().Matches(line).ToDictionary(m => m.Groups[1].Value, m => m.Groups[2].Value);

    [GeneratedRegex(@"([a-z0-9-]+)=(\S*)")]
    private static partial Regex FieldPattern();
}
