using Microsoft.Win32.SafeHandles;
using NomadQemu.Core.WarmStart;

namespace NomadQemu.Driver.WarmStart;

/// <summary>
/// What a start with <c>warm_start</c> decided: build the template of <see cref="Key"/> (this start boots cold
/// into shared RAM and freezes itself once ready), restore a clone of it, or boot cold (another start is building
/// it). Owns the build lock and the driver's own handle on the template VM's RAM: dispose after the start.
/// </summary>
internal sealed class WarmPlan : IDisposable
{
    public required WarmMode Mode { get; init; }
    public required string Key { get; init; }
    public required WarmStartConfig Config { get; init; }
    public required long MemoryMb { get; init; }

    /// <summary>The key's inputs ("name=value"), kept in template.json.</summary>
    public IReadOnlyList<string> Inputs { get; init; } = [];

    /// <summary>Build: the flock that makes this start the only builder of the key.</summary>
    public SafeFileHandle? Lock { get; init; }

    /// <summary>Build: the template VM's RAM, read after the VM is stopped and saved.</summary>
    public SafeFileHandle? Ram { get; init; }

    /// <summary>Clone: the descriptor number QEMU inherited the saved device state at.</summary>
    public int? IncomingFd { get; init; }

    /// <summary>Clone: the template restored.</summary>
    public TemplateInfo? Template { get; init; }

    /// <summary>Why an existing template was not used, for a task event; null when nothing went wrong.</summary>
    public string? Notice { get; init; }

    /// <summary>Short form of the key for events and logs.</summary>
    public string ShortKey => Key[..12];

    public void Dispose()
    {
        Ram?.Dispose();
        Lock?.Dispose();
    }
}
