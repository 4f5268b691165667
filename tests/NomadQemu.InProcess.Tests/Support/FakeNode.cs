using Microsoft.Extensions.Logging.Abstractions;
using NomadQemu.Cli;
using NomadQemu.Driver;
using NomadQemu.FakeQemu;
using NomadQemu.TestKit;

namespace NomadQemu.InProcess.Tests.Support;

/// <summary>
/// A node whose only emulator is the fake: a bin dir holding <c>qemu-system-x86_64</c> (a link to
/// NomadQemu.FakeQemu's apphost) put first on the driver's PATH, so the real qemu-img and nsenter are still found. The
/// supervisor is the host's own <c>__supervise</c> command, run from this suite's build output.
/// </summary>
/// <remarks>
/// The fake is reached only through <see cref="DriverOptions.PathVariable"/> and the supervisor only through
/// <see cref="DriverOptions.SupervisorExecutable"/>: when QEMU later runs inside a sandbox (bubblewrap), the
/// sandbox must keep honouring an emulator found this way for this tier to keep working.
/// </remarks>
public sealed class FakeNode : IDisposable
{
    private readonly ShortTempDir _root = new();

    public FakeNode()
    {
        BinDir = Path.Combine(_root.Path, "bin");
        Directory.CreateDirectory(BinDir);
        // The fake's native apphost, not a script running dotnet: recovery checks that the recorded QEMU pid
        // still runs the emulator it launched (/proc/PID/exe), and a script would show up as dotnet.
        var fake = Path.Combine(AppContext.BaseDirectory, typeof(FakeMode).Assembly.GetName().Name!);
        EmulatorPath = Path.Combine(BinDir, "qemu-system-x86_64");
        File.CreateSymbolicLink(EmulatorPath, fake);
        var host = Path.Combine(AppContext.BaseDirectory, "nomad-driver-qemu.dll");
        var suite = Path.Combine(AppContext.BaseDirectory, typeof(FakeNode).Assembly.GetName().Name!);
        Options = SupervisorCommand.DriverOptions() with
        {
            SupervisorExecutable = Dotnet,
            SupervisorArguments =
            [
                "exec",
                "--runtimeconfig",
                suite + ".runtimeconfig.json",
                "--depsfile",
                suite + ".deps.json",
                host,
                .. SupervisorCommand.DriverOptions().SupervisorArguments,
            ],
            PathVariable = () => BinDir + ":" + Environment.GetEnvironmentVariable("PATH"),
        };
    }

    public string BinDir { get; }
    public string EmulatorPath { get; }
    public DriverOptions Options { get; }

    public QemuDriver NewDriver() => new(Options, NullLoggerFactory.Instance);

    /// <summary>The dotnet host running this suite, so the fake and the supervisor use the same runtime.</summary>
    public static string Dotnet { get; } =
        Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host && File.Exists(host)
            ? host
            : (Environment.GetEnvironmentVariable("PATH") ?? "")
                .Split(':', StringSplitOptions.RemoveEmptyEntries)
                .Select(dir => Path.Combine(dir, "dotnet"))
                .First(File.Exists);

    public void Dispose() => _root.Dispose();
}
