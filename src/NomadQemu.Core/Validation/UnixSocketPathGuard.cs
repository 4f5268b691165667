using System.Text;
using NomadQemu.Core.Config;

namespace NomadQemu.Core.Validation;

/// <summary>
/// A unix socket path must fit <c>sockaddr_un.sun_path</c> including its terminating NUL, or QEMU cannot create it
/// (QEMU ≥ 2.10.1 errors where it used to truncate). Socket files live under the task dir, so the fix is a shorter
/// data_dir or task name.
/// </summary>
public static class UnixSocketPathGuard
{
    /// <summary><c>sun_path</c> size on Linux, terminator included.</summary>
    public const int LinuxSunPathBytes = 108;

    /// <summary><c>sun_path</c> size on macOS and the BSDs, terminator included.</summary>
    public const int BsdSunPathBytes = 104;

    /// <summary>The <c>sun_path</c> size on this OS, or null where none is known.</summary>
    public static int? PlatformSunPathBytes =>
        OperatingSystem.IsLinux() ? LinuxSunPathBytes
        : OperatingSystem.IsMacOS() || OperatingSystem.IsFreeBSD() ? BsdSunPathBytes
        : null;

    /// <exception cref="ConfigException">The path's UTF-8 length plus its NUL does not fit.</exception>
    public static void Check(string path, int sunPathBytes = LinuxSunPathBytes)
    {
        var length = Encoding.UTF8.GetByteCount(path);
        if (length >= sunPathBytes)
        {
            throw new ConfigException(
                null,
                $"unix socket path \"{path}\" is {length} bytes; at most {sunPathBytes - 1} fit (the socket address holds {sunPathBytes} bytes including the terminator). "
                    + "Shorten the Nomad client's data_dir or the task name."
            );
        }
    }
}
