namespace NomadQemu.CloudInit.Network;

/// <summary>How the default network-config addresses the guest's NIC on QEMU's user-mode network.</summary>
public enum NetworkAddressing
{
    /// <summary>DHCP from QEMU's built-in server (it hands out 10.0.2.15, gateway 10.0.2.2, DNS 10.0.2.3).</summary>
    Dhcp,

    /// <summary>The same values written statically: no DHCP client needed in the guest, no lease wait.</summary>
    Static,
}
