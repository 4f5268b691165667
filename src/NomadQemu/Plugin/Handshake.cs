using NomadQemu.Core.Validation;

namespace NomadQemu.Plugin;

/// <summary>
/// go-plugin handshake as Nomad uses it. Constants from nomad <c>plugins/base/plugin.go</c>
/// (cookie, app protocol 2) and go-plugin <c>server.go</c> (core protocol 1, the line format).
/// </summary>
internal static class Handshake
{
    public const string MagicCookieKey = "NOMAD_PLUGIN_MAGIC_COOKIE";
    public const string MagicCookieValue = "e4327c2e01eabfd75a8a67adb114fb34a757d57eee7728d857a8cec6e91a7255";
    public const int CoreProtocolVersion = 1;
    public const int AppProtocolVersion = 2;

    public static bool HasMagicCookie(Func<string, string?> env) => env(MagicCookieKey) == MagicCookieValue;

    /// <summary>
    /// True when the client offers app protocol 2. An absent list is taken as "2" (older go-plugin
    /// clients did not send it); a list without 2 means a client we cannot serve.
    /// </summary>
    public static bool ClientSupportsOurProtocol(string? versions)
    {
        if (string.IsNullOrWhiteSpace(versions))
        {
            return true;
        }
        foreach (
            var part in versions.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)
        )
        {
            if (part == "2")
            {
                return true;
            }
        }
        return false;
    }

    /// <summary>The one line that goes to stdout: CORE|APP|NETWORK|ADDRESS|PROTOCOL|SERVERCERT (empty: no mTLS).</summary>
    public static string Line(string socketPath) =>
        $"{CoreProtocolVersion}|{AppProtocolVersion}|unix|{socketPath}|grpc|";

    /// <summary>
    /// A fresh socket path the way go-plugin makes one: in PLUGIN_UNIX_SOCKET_DIR when set, else the temp dir.
    /// </summary>
    public static string NewSocketPath(Func<string, string?> env)
    {
        var dir = env("PLUGIN_UNIX_SOCKET_DIR");
        if (string.IsNullOrEmpty(dir))
        {
            dir = env("TMPDIR");
        }
        if (string.IsNullOrEmpty(dir))
        {
            dir = "/tmp";
        }
        var path = Path.Combine(
            dir,
            "plugin"
                + Random
                    .Shared.NextInt64(100_000_000, 999_999_999)
                    .ToString(System.Globalization.CultureInfo.InvariantCulture)
        );
        if (!UnixSocketPathGuard.Fits(path))
        {
            throw new InvalidOperationException(
                $"plugin socket path {path} is longer than {UnixSocketPathGuard.MaxPathBytes} bytes; set PLUGIN_UNIX_SOCKET_DIR or TMPDIR to a shorter directory"
            );
        }
        return path;
    }
}
