namespace NomadQemu.Core.WarmStart;

/// <summary>
/// What a warm-start VM (a template being built, or a clone) adds to the cold command line: guest RAM in a file
/// the driver hands over, the versioned machine type, a VM generation id, and for a clone
/// <c>-incoming defer</c> (the driver loads the saved state from <see cref="IncomingFd"/> over QMP).
/// </summary>
/// <param name="Machine">The versioned machine type (e.g. <c>pc-q35-7.2</c>).</param>
/// <param name="RamPath">How QEMU opens the RAM file: <c>/proc/self/fd/N</c> of an inherited memfd.</param>
/// <param name="RamShared">True for a template (its RAM is saved from the memfd); false for a clone (a private
/// copy-on-write mapping of the sealed template RAM).</param>
/// <param name="IncomingFd">A clone's inherited descriptor of the saved device state; null for a template.</param>
public sealed record WarmLaunch(string Machine, string RamPath, bool RamShared, int? IncomingFd)
{
    public const string RamBackendId = "warm.ram";
}
