using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using NomadQemu.Driver.Native;

namespace NomadQemu.Driver.WarmStart;

/// <summary>
/// A QMP session of its own for saving a template: QEMU 7.2's outgoing <c>migrate fd:NAME</c> looks the
/// descriptor up by the name <c>getfd</c> gave it, and <c>getfd</c> takes the descriptor as SCM_RIGHTS ancillary
/// data on the QMP socket, which the general QMP client (a stream) cannot send. Used only while no other QMP
/// client is connected (QEMU serves one at a time): between "QMP answers" and the task's own control line.
/// </summary>
internal sealed class MigrationChannel : IDisposable
{
    private readonly Socket _socket;
    private readonly List<byte> _pending = [];

    private MigrationChannel(Socket socket) => _socket = socket;

    public static async Task<MigrationChannel> OpenAsync(string qmpSocket, CancellationToken cancellationToken)
    {
        var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        try
        {
            await socket.ConnectAsync(new UnixDomainSocketEndPoint(qmpSocket), cancellationToken);
            var channel = new MigrationChannel(socket);
            using (var greeting = await channel.ReadMessageAsync(cancellationToken))
            {
                if (!greeting.RootElement.TryGetProperty("QMP", out _))
                {
                    throw new IOException("the QMP socket did not greet");
                }
            }
            await channel.ExecuteAsync("qmp_capabilities", null, cancellationToken);
            return channel;
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    /// <summary>Runs a command and returns its <c>return</c> value (cloned); QEMU's error becomes an IOException.</summary>
    public async Task<JsonElement> ExecuteAsync(
        string command,
        string? argumentsJson,
        CancellationToken cancellationToken
    )
    {
        await _socket.SendAsync(Command(command, argumentsJson), cancellationToken);
        return await ReplyAsync(command, cancellationToken);
    }

    /// <summary><c>getfd</c>: hands <paramref name="fd"/> to QEMU under <paramref name="name"/>.</summary>
    public async Task SendFdAsync(string name, int fd, CancellationToken cancellationToken)
    {
        var bytes = Command("getfd", $"{{\"fdname\":{JsonSerializer.Serialize(name, WarmJson.Default.String)}}}");
        SendWithFd(bytes, fd);
        await ReplyAsync("getfd", cancellationToken);
    }

    private unsafe void SendWithFd(byte[] bytes, int fd)
    {
        // struct cmsghdr (len, level, type) is 16 bytes on 64-bit Linux; CMSG_SPACE(sizeof(int)) is 24.
        var control = stackalloc byte[24];
        new Span<byte>(control, 24).Clear();
        *(nuint*)control = 20;
        *(int*)(control + 8) = LibC.SOL_SOCKET;
        *(int*)(control + 12) = LibC.SCM_RIGHTS;
        *(int*)(control + 16) = fd;
        fixed (byte* data = bytes)
        {
            var iov = new LibC.IoVec { Base = data, Length = (nuint)bytes.Length };
            var message = new LibC.MsgHdr
            {
                Iov = &iov,
                IovLength = 1,
                Control = control,
                ControlLength = 24,
            };
            var sent = LibC.sendmsg((int)_socket.SafeHandle.DangerousGetHandle(), &message, 0);
            if (sent != bytes.Length)
            {
                throw new IOException($"sending the state descriptor to QEMU failed: {LibC.LastError()}");
            }
        }
    }

    private static byte[] Command(string command, string? argumentsJson) =>
        Encoding.UTF8.GetBytes(
            argumentsJson is null
                ? $"{{\"execute\":\"{command}\"}}\n"
                : $"{{\"execute\":\"{command}\",\"arguments\":{argumentsJson}}}\n"
        );

    private async Task<JsonElement> ReplyAsync(string command, CancellationToken cancellationToken)
    {
        while (true)
        {
            using var message = await ReadMessageAsync(cancellationToken);
            var root = message.RootElement;
            if (root.TryGetProperty("event", out _))
            {
                continue;
            }
            if (root.TryGetProperty("error", out var error))
            {
                var description = error.TryGetProperty("desc", out var desc) ? desc.GetString() : error.ToString();
                throw new QemuRefusedException($"QEMU refused {command}: {description}");
            }
            return root.TryGetProperty("return", out var value) ? value.Clone() : default;
        }
    }

    private async Task<JsonDocument> ReadMessageAsync(CancellationToken cancellationToken)
    {
        var buffer = new byte[4096];
        while (true)
        {
            var newline = _pending.IndexOf((byte)'\n');
            if (newline >= 0)
            {
                var line = _pending.GetRange(0, newline).ToArray();
                _pending.RemoveRange(0, newline + 1);
                if (line.AsSpan().Trim((byte)'\r').Length == 0)
                {
                    continue;
                }
                return JsonDocument.Parse(line);
            }
            var read = await _socket.ReceiveAsync(buffer, cancellationToken);
            if (read == 0)
            {
                throw new IOException("QEMU closed the QMP connection");
            }
            _pending.AddRange(buffer.AsSpan(0, read));
        }
    }

    public void Dispose() => _socket.Dispose();
}
