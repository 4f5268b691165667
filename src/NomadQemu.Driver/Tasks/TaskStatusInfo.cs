namespace NomadQemu.Driver.Tasks;

/// <summary>The request facts Nomad wants echoed back and InspectTask reports.</summary>
public sealed record TaskStatusInfo(string TaskName, string AllocId, string AllocDir);
