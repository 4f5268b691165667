using System.Globalization;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;

namespace NomadQemu.FakeQemu;

/// <summary>
/// Enough of QEMU's QMP monitor for the driver: the greeting, capabilities negotiation, query-status,
/// query-version, stop/cont, system_reset, system_powerdown and quit, with the events QEMU sends for them.
/// Like QEMU it serves one client at a time; the next connection is accepted when the current one ends.
/// </summary>
internal sealed class QmpServer(Socket listener, FakeMode mode, Action<int> exit) : IDisposable
{
    private readonly SemaphoreSlim _writeGate = new(1, 1);
    private bool _paused;
    private Stream? _client;

    public async Task ServeAsync()
    {
        while (true)
        {
            using var socket = await listener.AcceptAsync();
            await using var stream = new NetworkStream(socket, ownsSocket: false);
            _client = stream;
            try
            {
                await SessionAsync(stream);
            }
            catch (IOException)
            {
                // The client went away mid-write; QEMU just waits for the next one.
            }
            finally
            {
                _client = null;
            }
        }
    }

    private async Task SessionAsync(Stream stream)
    {
        await WriteAsync(
            stream,
            """{"QMP": {"version": {"qemu": {"micro": 0, "minor": 2, "major": 9}, "package": "fake"}, "capabilities": ["oob"]}}"""
        );
        using var reader = new StreamReader(stream, Encoding.UTF8, leaveOpen: true);
        var negotiated = false;
        while (await reader.ReadLineAsync() is { } line)
        {
            if (line.Trim().Length == 0)
            {
                continue;
            }
            using var request = JsonDocument.Parse(line);
            var command = request.RootElement.GetProperty("execute").GetString() ?? "";
            var id = request.RootElement.TryGetProperty("id", out var idElement) ? idElement.GetRawText() : null;
            if (!negotiated && command != "qmp_capabilities")
            {
                await ReplyErrorAsync(
                    stream,
                    id,
                    "CommandNotFound",
                    "Expecting capabilities negotiation with 'qmp_capabilities'"
                );
                continue;
            }
            negotiated = true;
            await HandleAsync(stream, command, id);
        }
    }

    private async Task HandleAsync(Stream stream, string command, string? id)
    {
        switch (command)
        {
            case "qmp_capabilities":
                await ReplyAsync(stream, id, "{}");
                break;
            case "query-status":
                await ReplyAsync(
                    stream,
                    id,
                    _paused
                        ? """{"status": "paused", "singlestep": false, "running": false}"""
                        : """{"status": "running", "singlestep": false, "running": true}"""
                );
                break;
            case "query-version":
                await ReplyAsync(stream, id, """{"qemu": {"micro": 0, "minor": 2, "major": 9}, "package": "fake"}""");
                break;
            case "stop":
                _paused = true;
                await ReplyAsync(stream, id, "{}");
                await EventAsync("STOP", null);
                break;
            case "cont":
                _paused = false;
                await ReplyAsync(stream, id, "{}");
                await EventAsync("RESUME", null);
                break;
            case "system_reset":
                await ReplyAsync(stream, id, "{}");
                await EventAsync("RESET", """{"guest": false, "reason": "host-qmp-system-reset"}""");
                break;
            case "system_powerdown":
                await ReplyAsync(stream, id, "{}");
                await EventAsync("POWERDOWN", null);
                if (!mode.IgnorePowerdown)
                {
                    await EventAsync("SHUTDOWN", """{"guest": true, "reason": "guest-shutdown"}""");
                    exit(0);
                }
                break;
            case "quit":
                await ReplyAsync(stream, id, "{}");
                await EventAsync("SHUTDOWN", """{"guest": false, "reason": "host-qmp-quit"}""");
                exit(0);
                break;
            default:
                await ReplyErrorAsync(stream, id, "CommandNotFound", $"The command {command} has not been found");
                break;
        }
    }

    /// <summary>An event to the connected client, if any (QEMU drops events nobody is connected for).</summary>
    public async Task EventAsync(string name, string? data)
    {
        if (_client is not { } stream)
        {
            return;
        }
        var now = DateTimeOffset.UtcNow;
        var seconds = now.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);
        var micros = (now.ToUnixTimeMilliseconds() % 1000 * 1000).ToString(CultureInfo.InvariantCulture);
        var dataPart = data is null ? "" : $", \"data\": {data}";
        try
        {
            await WriteAsync(
                stream,
                $$"""{"timestamp": {"seconds": {{seconds}}, "microseconds": {{micros}}}, "event": "{{name}}"{{dataPart}}}"""
            );
        }
        catch (IOException) { }
        catch (ObjectDisposedException) { }
    }

    private Task ReplyAsync(Stream stream, string? id, string result) =>
        WriteAsync(stream, id is null ? $$"""{"return": {{result}}}""" : $$"""{"return": {{result}}, "id": {{id}}}""");

    private Task ReplyErrorAsync(Stream stream, string? id, string errorClass, string description)
    {
        var error =
            $$"""{"class": {{JsonSerializer.Serialize(errorClass, FakeJson.Default.String)}}, "desc": {{JsonSerializer.Serialize(description, FakeJson.Default.String)}}}""";
        return WriteAsync(
            stream,
            id is null ? $$"""{"error": {{error}}}""" : $$"""{"error": {{error}}, "id": {{id}}}"""
        );
    }

    private async Task WriteAsync(Stream stream, string json)
    {
        await _writeGate.WaitAsync();
        try
        {
            await stream.WriteAsync(Encoding.UTF8.GetBytes(json + "\r\n"));
            await stream.FlushAsync();
        }
        finally
        {
            _writeGate.Release();
        }
    }

    public void Dispose() => _writeGate.Dispose();
}
