namespace NomadQemu.FakeQemu;

/// <summary>
/// The parts of a QEMU command line the fake acts on. Parsed the way QEMU reads them: option words take
/// the next word as their value, and inside <c>key=value,...</c> option strings ",," is a literal comma.
/// </summary>
internal sealed record FakeArguments(
    string? QmpSocket,
    int? QmpFd,
    string? Name,
    bool PrintVersion,
    bool DebugExitDevice
)
{
    public static FakeArguments Parse(IReadOnlyList<string> args)
    {
        string? qmp = null;
        int? qmpFd = null;
        string? name = null;
        var version = false;
        var debugExit = false;
        for (var i = 0; i < args.Count; i++)
        {
            var value = i + 1 < args.Count ? args[i + 1] : null;
            switch (args[i])
            {
                case "--version" or "-version":
                    version = true;
                    break;
                case "-qmp" when value is not null:
                    qmp = UnixPath(value);
                    i++;
                    break;
                case "-chardev" when value is not null:
                    // The driver's inherited QMP socket: "socket,id=qmp0,fd=N,server=on,wait=off".
                    var parts = value.Split(',');
                    if (
                        parts.Contains("id=qmp0")
                        && parts.FirstOrDefault(p => p.StartsWith("fd=", StringComparison.Ordinal)) is { } fd
                    )
                    {
                        qmpFd = int.Parse(fd["fd=".Length..], System.Globalization.CultureInfo.InvariantCulture);
                    }
                    i++;
                    break;
                case "-name" when value is not null:
                    name = Unescape(value);
                    i++;
                    break;
                case "-device" when value is not null:
                    debugExit |= value.StartsWith("isa-debug-exit", StringComparison.Ordinal);
                    i++;
                    break;
            }
        }
        return new FakeArguments(qmp, qmpFd, name, version, debugExit);
    }

    /// <summary><c>unix:PATH,server=on,wait=off</c> → PATH; only the unix form is ever produced by the driver.</summary>
    private static string UnixPath(string value)
    {
        if (!value.StartsWith("unix:", StringComparison.Ordinal))
        {
            throw new ArgumentException($"-qmp {value}: the fake serves only unix: sockets");
        }
        var body = value["unix:".Length..];
        var end = 0;
        while (end < body.Length)
        {
            if (body[end] == ',')
            {
                if (end + 1 < body.Length && body[end + 1] == ',')
                {
                    end += 2;
                    continue;
                }
                break;
            }
            end++;
        }
        return Unescape(body[..end]);
    }

    private static string Unescape(string value) => value.Replace(",,", ",", StringComparison.Ordinal);
}
