namespace NomadQemu.Runner;

/// <summary>One allocated port: the host side QEMU listens on and the job's <c>to</c> (null when unset).</summary>
internal sealed record AllocatedPort(string Label, string HostIp, int HostPort, int? To);
