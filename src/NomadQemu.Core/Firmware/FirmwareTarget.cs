namespace NomadQemu.Core.Firmware;

/// <summary>A descriptor's target: an architecture and the machine types it supports, as globs (<c>pc-q35-*</c>).</summary>
public sealed record FirmwareTarget(string Architecture, IReadOnlyList<string> Machines);
