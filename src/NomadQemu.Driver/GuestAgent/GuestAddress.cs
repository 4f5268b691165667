using System.Globalization;
using System.Net;

namespace NomadQemu.Driver.GuestAgent;

/// <summary>One address of <see cref="GuestAddressList"/>.</summary>
internal sealed record GuestAddress(string Interface, IPAddress Address, int Prefix)
{
    public override string ToString() => $"{Interface} {Address}/{Prefix.ToString(CultureInfo.InvariantCulture)}";
}
