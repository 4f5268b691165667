using NomadQemu.Core.Qemu;

namespace NomadQemu.Driver;

/// <summary>What a start would do, decided without side effects (the runner's <c>validate</c> prints it).</summary>
public sealed record PlanSummary(string Accelerator, IReadOnlyList<PortForward> Forwards);
