namespace NomadQemu.Core.Validation.Args;

/// <summary>A host address and port Nomad allocated to the task: the only place a job's own <c>hostfwd</c> may bind.</summary>
public sealed record AllocatedPort(string HostIp, int Port);
