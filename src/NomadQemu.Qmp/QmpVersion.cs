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
