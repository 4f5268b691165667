using System.Globalization;

namespace NomadQemu.FakeQemu;

/// <summary>
/// What a test asks of the fake, through the <c>FAKE_QEMU</c> environment variable (the task's env reaches
/// QEMU): comma-separated words, e.g. <c>exit-at-start=3,ignore-powerdown</c>.
/// </summary>
public sealed record FakeMode
{
    public const string Variable = "FAKE_QEMU";

    /// <summary>The file in the task dir (the parent of the fake's working directory, the run dir) that holds its mode.</summary>
    public const string FileName = "fake-qemu-mode";

    /// <summary>Exit with this code before opening QMP, as QEMU does on a bad command line.</summary>
    public int? ExitAtStart { get; init; }

    /// <summary>Acknowledge system_powerdown but keep running, like a guest without an ACPI handler.</summary>
    public bool IgnorePowerdown { get; init; }

    /// <summary>The guest powers itself off after this long (SHUTDOWN with guest=true, exit 0).</summary>
    public TimeSpan? GuestPoweroffAfter { get; init; }

    /// <summary>The guest kernel panics after this long (GUEST_PANICKED; QEMU keeps running).</summary>
    public TimeSpan? PanicAfter { get; init; }

    /// <summary>Keep one thread busy so the process has real CPU time for the stats path to measure.</summary>
    public bool BurnCpu { get; init; }

    public static FakeMode Parse(string? text)
    {
        var mode = new FakeMode();
        foreach (
            var word in (text ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
        )
        {
            var (key, value) = word.IndexOf('=', StringComparison.Ordinal) is var i and >= 0
                ? (word[..i], word[(i + 1)..])
                : (word, "");
            mode = key switch
            {
                "exit-at-start" => mode with { ExitAtStart = int.Parse(value, CultureInfo.InvariantCulture) },
                "ignore-powerdown" => mode with { IgnorePowerdown = true },
                "guest-poweroff-after-ms" => mode with { GuestPoweroffAfter = Milliseconds(value) },
                "panic-after-ms" => mode with { PanicAfter = Milliseconds(value) },
                "burn-cpu" => mode with { BurnCpu = true },
                _ => throw new ArgumentException($"{Variable}: unknown word \"{word}\""),
            };
        }
        return mode;
    }

    private static TimeSpan Milliseconds(string value) =>
        TimeSpan.FromMilliseconds(int.Parse(value, CultureInfo.InvariantCulture));
}
