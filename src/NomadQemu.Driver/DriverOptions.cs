using NomadQemu.Driver.Node;

namespace NomadQemu.Driver;

/// <summary>
/// What the host gives the driver core: how to start a VM supervisor and where to look for programs. The
/// core knows no command names or host environment of its own; the plugin and the runner fill this the same way.
/// </summary>
public sealed record DriverOptions
{
    /// <summary>The program that supervises one VM (the host's own executable).</summary>
    public required string SupervisorExecutable { get; init; }

    /// <summary>Arguments before the run dir, which is always the last argument.</summary>
    public IReadOnlyList<string> SupervisorArguments { get; init; } = [];

    /// <summary>Changes to the inherited environment for the supervisor: a value sets a variable, null removes it.</summary>
    public IReadOnlyDictionary<string, string?> SupervisorEnvironment { get; init; } =
        new Dictionary<string, string?>();

    /// <summary>The <c>PATH</c> searched for QEMU, <c>qemu-img</c> and <c>nsenter</c>.</summary>
    public Func<string?> PathVariable { get; init; } = () => Environment.GetEnvironmentVariable("PATH");

    /// <summary>Where QEMU firmware descriptors are read (tests point it at their own).</summary>
    internal IReadOnlyList<string> FirmwareDirectories { get; init; } = FirmwareDiscovery.DefaultDirectories;

    /// <summary>For tests: a probe with another device or timeout.</summary>
    internal KvmProbe KvmProbe { get; init; } = new();
}
