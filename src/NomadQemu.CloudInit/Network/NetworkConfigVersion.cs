namespace NomadQemu.CloudInit.Network;

/// <summary>cloud-init's two network-config formats: v1 (its own) and v2 (netplan's).</summary>
public enum NetworkConfigVersion
{
    V1 = 1,
    V2 = 2,
}
