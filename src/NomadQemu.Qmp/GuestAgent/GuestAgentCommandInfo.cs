namespace NomadQemu.Qmp.GuestAgent;

/// <summary>One entry of <c>guest-info</c>'s <c>supported_commands</c>.</summary>
/// <param name="Name">The command, e.g. <c>guest-exec</c>.</param>
/// <param name="Enabled">False when the guest's agent was started with the command blocked.</param>
/// <param name="SuccessResponse">False for commands that send no reply when they succeed (<c>guest-shutdown</c>, <c>guest-suspend-*</c>).</param>
public sealed record GuestAgentCommandInfo(string Name, bool Enabled, bool SuccessResponse);
