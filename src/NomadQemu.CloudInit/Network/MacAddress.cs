using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace NomadQemu.CloudInit.Network;

/// <summary>
/// An Ethernet unicast address, as the driver gives it to QEMU (<c>-device ...,mac=</c>) and as the default
/// network-config matches the guest's NIC by. Printed as six lower-case hex pairs joined by colons, the form both
/// QEMU and cloud-init compare against.
/// </summary>
public readonly record struct MacAddress
{
    // QEMU's own prefix: locally administered (bit 1 of the first octet) and unicast (bit 0 clear).
    private static readonly byte[] s_qemuPrefix = [0x52, 0x54, 0x00];

    private readonly ulong _value;

    private MacAddress(ulong value)
    {
        _value = value;
    }

    /// <summary>Parses <c>52:54:00:12:34:56</c> (or with <c>-</c> separators); refuses multicast and all-zero.</summary>
    /// <exception cref="CloudInitException">The text is not such an address.</exception>
    public static MacAddress Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var parts = text.Split(text.Contains('-', StringComparison.Ordinal) ? '-' : ':');
        ulong value = 0;
        if (parts.Length != 6)
        {
            throw Invalid("it must be six hex pairs separated by ':' (for example 52:54:00:12:34:56)");
        }
        foreach (var part in parts)
        {
            if (
                part.Length != 2
                || !byte.TryParse(part, NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var octet)
            )
            {
                throw Invalid("it must be six hex pairs separated by ':' (for example 52:54:00:12:34:56)");
            }
            value = (value << 8) | octet;
        }
        if (value == 0)
        {
            throw Invalid("the all-zero address is not a NIC's address");
        }
        if ((value >> 40 & 0x01) != 0)
        {
            throw Invalid("it is a multicast address (the first octet is odd); a NIC needs a unicast one");
        }
        return new MacAddress(value);
    }

    /// <summary>
    /// A stable address for one task of one allocation: QEMU's 52:54:00 prefix and three bytes of a hash of the
    /// alloc id and task name. Guests on user-mode networking each have a private network, so the prefix is safe;
    /// stability keeps the guest's NIC (and its network-config match) the same across task restarts.
    /// </summary>
    public static MacAddress ForTask(string allocId, string taskName)
    {
        ArgumentNullException.ThrowIfNull(allocId);
        ArgumentNullException.ThrowIfNull(taskName);
        var text = $"nomad-driver-qemu/mac\n{allocId.Length}:{allocId}\n{taskName.Length}:{taskName}";
        var hash = SHA256.HashData(Encoding.UTF8.GetBytes(text));
        ulong value = 0;
        foreach (var octet in (ReadOnlySpan<byte>)[.. s_qemuPrefix, hash[0], hash[1], hash[2]])
        {
            value = (value << 8) | octet;
        }
        return new MacAddress(value);
    }

    public override string ToString()
    {
        var octets = new string[6];
        for (var i = 0; i < 6; i++)
        {
            octets[i] = ((byte)(_value >> (8 * (5 - i)))).ToString("x2", CultureInfo.InvariantCulture);
        }
        return string.Join(':', octets);
    }

    private static CloudInitException Invalid(string rule) => new("mac_address", $"is not a valid MAC address: {rule}");
}
