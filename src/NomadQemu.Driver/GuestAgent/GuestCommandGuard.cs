namespace NomadQemu.Driver.GuestAgent;

/// <summary>
/// Checks a command before it goes to the guest agent. The command comes from whoever may exec into the
/// allocation; the limits keep one request from building an agent command larger than the agent accepts.
/// </summary>
internal static class GuestCommandGuard
{
    public const int MaxArguments = 4096;
    public const int MaxTotalChars = 256 * 1024;

    public static void Check(IReadOnlyList<string> argv, int stdinBytes)
    {
        if (argv.Count == 0 || string.IsNullOrEmpty(argv[0]))
        {
            throw new DriverException(
                DriverErrorKind.InvalidConfig,
                "exec: command is empty; give the program to run in the guest, e.g. [\"/bin/sh\", \"-c\", \"uptime\"]"
            );
        }
        if (argv.Count > MaxArguments)
        {
            throw new DriverException(
                DriverErrorKind.InvalidConfig,
                $"exec: command has {argv.Count} arguments; at most {MaxArguments} are allowed"
            );
        }
        var total = 0L;
        for (var i = 0; i < argv.Count; i++)
        {
            var word = argv[i] ?? "";
            if (word.Contains('\0', StringComparison.Ordinal))
            {
                throw new DriverException(
                    DriverErrorKind.InvalidConfig,
                    $"exec: command argument {i} contains a NUL character, which no program can receive"
                );
            }
            total += word.Length;
        }
        if (total > MaxTotalChars)
        {
            throw new DriverException(
                DriverErrorKind.InvalidConfig,
                $"exec: command is {total} characters long; at most {MaxTotalChars} are allowed"
            );
        }
        if (stdinBytes > ExecCommand.MaxStdinBytes)
        {
            throw new DriverException(
                DriverErrorKind.InvalidConfig,
                $"exec: stdin is {stdinBytes} bytes; at most {ExecCommand.MaxStdinBytes} bytes (1 MiB) can be given "
                    + "to a command in a VM (the guest agent takes all input at start)"
            );
        }
    }
}
