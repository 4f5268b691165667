namespace NomadQemu.Driver;

/// <summary>Linux signal numbers by the names Nomad sends ("SIGTERM"); also accepts "TERM" and "15".</summary>
internal static class Signals
{
    public const int SIGHUP = 1;
    public const int SIGINT = 2;
    public const int SIGKILL = 9;
    public const int SIGTERM = 15;
    public const int SIGCONT = 18;
    public const int SIGSTOP = 19;
    public const int SIGTSTP = 20;
    public const int SIGPWR = 30;

    public const string Supported =
        "SIGTERM/SIGINT/SIGPWR (ACPI power-down), SIGSTOP/SIGTSTP (pause), SIGCONT (resume), SIGHUP (reset), SIGKILL (kill)";

    private static readonly Dictionary<string, int> s_byName = new(StringComparer.OrdinalIgnoreCase)
    {
        ["HUP"] = SIGHUP,
        ["INT"] = SIGINT,
        ["QUIT"] = 3,
        ["ILL"] = 4,
        ["TRAP"] = 5,
        ["ABRT"] = 6,
        ["BUS"] = 7,
        ["FPE"] = 8,
        ["KILL"] = SIGKILL,
        ["USR1"] = 10,
        ["SEGV"] = 11,
        ["USR2"] = 12,
        ["PIPE"] = 13,
        ["ALRM"] = 14,
        ["TERM"] = SIGTERM,
        ["CHLD"] = 17,
        ["CONT"] = SIGCONT,
        ["STOP"] = SIGSTOP,
        ["TSTP"] = SIGTSTP,
        ["TTIN"] = 21,
        ["TTOU"] = 22,
        ["URG"] = 23,
        ["XCPU"] = 24,
        ["XFSZ"] = 25,
        ["VTALRM"] = 26,
        ["PROF"] = 27,
        ["WINCH"] = 28,
        ["IO"] = 29,
        ["PWR"] = SIGPWR,
        ["SYS"] = 31,
    };

    public static bool TryParse(string? text, out int number)
    {
        number = 0;
        if (string.IsNullOrWhiteSpace(text))
        {
            return false;
        }
        var name = text.Trim();
        if (
            int.TryParse(
                name,
                System.Globalization.NumberStyles.None,
                System.Globalization.CultureInfo.InvariantCulture,
                out number
            )
        )
        {
            return number is > 0 and < 65;
        }
        if (name.StartsWith("SIG", StringComparison.OrdinalIgnoreCase))
        {
            name = name[3..];
        }
        return s_byName.TryGetValue(name, out number);
    }
}
