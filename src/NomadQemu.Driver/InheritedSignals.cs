using NomadQemu.Driver.Native;

namespace NomadQemu.Driver;

/// <summary>
/// Signal dispositions a process inherits across exec. A POSIX shell starts background jobs with SIGINT
/// ignored, and .NET respects an ignored signal: a handler registered later never runs. A front that wants
/// Ctrl-C / <c>kill -INT</c> to mean "stop" restores the default first, before anything installs handlers
/// (as Go programs do when they ask for SIGINT).
/// </summary>
public static class InheritedSignals
{
    /// <summary>Makes SIGINT's disposition the default again; true when it had been inherited as ignored.</summary>
    public static bool RestoreInterrupt() => LibC.signal(Signals.SIGINT, LibC.SIG_DFL) == LibC.SIG_IGN;
}
