using System.Text;
using NomadQemu.Core.Config;

namespace NomadQemu.Core.Validation;

/// <summary>
/// The one place that knows how long a unix socket path may be: <c>sockaddr_un.sun_path</c> holds 108 bytes
/// on Linux, terminating NUL included, and QEMU (≥ 2.10.1) errors where it used to truncate. The plugin's own
/// socket and every per-task socket are checked here.
/// </summary>
public static class UnixSocketPathGuard
{
    /// <summary>The longest path (UTF-8 bytes, without the NUL) a Linux unix socket can bind or connect to.</summary>
    public const int MaxPathBytes = 107;

    public static bool Fits(string path) => Encoding.UTF8.GetByteCount(path) <= MaxPathBytes;

    /// <summary>Checks a per-task socket path; the fix it suggests is the task's.</summary>
    /// <exception cref="ConfigException">The path's UTF-8 length plus its NUL does not fit.</exception>
    public static void Check(string path)
    {
        if (!Fits(path))
        {
            throw new ConfigException(
                null,
                $"unix socket path \"{path}\" is {Encoding.UTF8.GetByteCount(path)} bytes; at most {MaxPathBytes} fit. "
                    + "Shorten the Nomad client's data_dir or the task name."
            );
        }
    }
}
