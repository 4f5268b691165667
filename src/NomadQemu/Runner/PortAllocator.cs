using System.Net;
using System.Net.Sockets;

namespace NomadQemu.Runner;

/// <summary>
/// Hands out host ports the way a Nomad client does for one node: static ports as written (checked free, so
/// a clash is a clear error instead of QEMU failing at start), dynamic ports picked by the kernel. QEMU
/// forwards each port for TCP and UDP, so both must be free. `validate` turns the availability check off: it
/// may run next to the very job it checks.
/// </summary>
internal sealed class PortAllocator(IPAddress bindAddress, bool checkAvailability = true)
{
    private const int Attempts = 50;

    private readonly HashSet<int> _taken = [];

    public IPAddress BindAddress { get; } = bindAddress;

    /// <exception cref="RunnerException">The static port is in use or was already given to another label.</exception>
    public int Reserve(string label, int port)
    {
        if (port is < 1 or > 65535)
        {
            throw new RunnerException(
                RunnerExit.BadJob,
                $"port \"{label}\": static port {port} is not between 1 and 65535"
            );
        }
        if (!_taken.Add(port))
        {
            throw new RunnerException(
                RunnerExit.BadJob,
                $"port \"{label}\": static port {port} is used twice in this run"
            );
        }
        if (checkAvailability && !IsFree(port))
        {
            throw new RunnerException(
                RunnerExit.StartFailed,
                $"port \"{label}\": static port {port} is already in use on {BindAddress}"
            );
        }
        return port;
    }

    public int Dynamic(string label)
    {
        for (var attempt = 0; attempt < Attempts; attempt++)
        {
            int port;
            using (var probe = new Socket(BindAddress.AddressFamily, SocketType.Stream, ProtocolType.Tcp))
            {
                probe.Bind(new IPEndPoint(BindAddress, 0));
                port = ((IPEndPoint)probe.LocalEndPoint!).Port;
            }
            if (!_taken.Contains(port) && IsFree(port))
            {
                _taken.Add(port);
                return port;
            }
        }
        throw new RunnerException(RunnerExit.StartFailed, $"port \"{label}\": no free port found on {BindAddress}");
    }

    private bool IsFree(int port) =>
        CanBind(port, SocketType.Stream, ProtocolType.Tcp) && CanBind(port, SocketType.Dgram, ProtocolType.Udp);

    private bool CanBind(int port, SocketType type, ProtocolType protocol)
    {
        try
        {
            using var socket = new Socket(BindAddress.AddressFamily, type, protocol);
            socket.Bind(new IPEndPoint(BindAddress, port));
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }
}
