namespace NomadQemu.Chaos.Tests;

/// <summary>Every test here runs real VMs or hammers one plugin: they run one at a time on the 2-core CI host.</summary>
[CollectionDefinition(Name)]
public sealed class ChaosCollection
{
    public const string Name = "chaos: real VMs, one at a time";
}
