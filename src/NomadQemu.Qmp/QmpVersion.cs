namespace NomadQemu.Qmp;

/// <summary>A QEMU version as reported by the QMP greeting and <c>query-version</c>.</summary>
/// <param name="Major">e.g. 7 for QEMU 7.2.</param>
/// <param name="Minor">e.g. 2 for QEMU 7.2.</param>
/// <param name="Micro">The patch level.</param>
/// <param name="Package">Distribution build string, e.g. "Debian 1:7.2+dfsg-7"; empty for upstream builds.</param>
public sealed record QmpVersion(int Major, int Minor, int Micro, string Package)
{
    /// <summary>"major.minor.micro", followed by the package string in parentheses when there is one.</summary>
    public override string ToString() =>
        Package.Length == 0 ? $"{Major}.{Minor}.{Micro}" : $"{Major}.{Minor}.{Micro} ({Package})";
}

/// <summary>What QEMU announced when the connection opened.</summary>
/// <param name="Version">The QEMU version.</param>
/// <param name="Capabilities">Optional protocol capabilities the server offers, e.g. "oob". None is enabled by this client.</param>
public sealed record QmpGreeting(QmpVersion Version, IReadOnlyList<string> Capabilities);

/// <summary>Result of <c>query-status</c>.</summary>
/// <param name="Status">QEMU's run state, e.g. "running", "paused", "shutdown", "prelaunch", "internal-error".</param>
/// <param name="Running">True when the guest's CPUs are executing.</param>
public sealed record QmpVmStatus(string Status, bool Running);
