namespace NomadQemu.Driver.Node;

/// <summary>Whether hardware virtualisation really works here, and why not when it does not.</summary>
internal sealed record KvmStatus(bool Usable, string Reason);
