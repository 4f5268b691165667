using NomadQemu.Core.Config;

namespace NomadQemu.Core.Qemu;

/// <summary>
/// A <c>disk</c> block resolved for the command line: the chain QEMU opens (every layer on an fd set) and the bus
/// it goes on (the block's <c>interface</c>, or the task's drive interface).
/// </summary>
public sealed record ExtraDrive(DiskConfig Disk, DiskInterface Interface, DiskLayer Top);
