using System.Runtime.InteropServices;
using System.Text;

namespace NomadQemu.TestKit;

/// <summary>
/// A named pipe with a reader, standing in for Nomad's logmon: the driver must open it write-only and hand
/// it to QEMU. Everything read is kept so tests can wait for console markers.
/// </summary>
public sealed partial class Fifo : IDisposable
{
    private readonly StringBuilder _text = new();
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _pump;
    private FileStream? _reader;

    [LibraryImport("libc", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    private static partial int mkfifo(string path, uint mode);

    public Fifo(string path)
    {
        Path = path;
        MakeWithoutReader(path);
        // O_RDWR keeps the FIFO open for reading even between writers (QEMU restarts, the supervisor's probe).
        _reader = new FileStream(
            new Microsoft.Win32.SafeHandles.SafeFileHandle(Open(path), ownsHandle: true),
            FileAccess.Read,
            1
        );
        _pump = Task.Run(PumpAsync);
    }

    /// <summary>
    /// Only the named pipe, which nobody holds open: an ordinary open for reading blocks on it until a writer
    /// comes, which is what a hostile path in a job file counts on.
    /// </summary>
    public static void MakeWithoutReader(string path)
    {
        if (mkfifo(path, 0x1b6) != 0)
        {
            throw new IOException($"mkfifo {path} failed: errno {Marshal.GetLastPInvokeError()}");
        }
    }

    [LibraryImport("libc", EntryPoint = "open", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    private static partial int OpenNative(string path, int flags);

    private static nint Open(string path)
    {
        var fd = OpenNative(
            path,
            2 | 0x80000 /* O_RDWR | O_CLOEXEC: no child process inherits our reader */
        );
        return fd >= 0 ? fd : throw new IOException($"open {path} failed: errno {Marshal.GetLastPInvokeError()}");
    }

    public string Path { get; }

    public string Text
    {
        get
        {
            lock (_text)
            {
                return _text.ToString();
            }
        }
    }

    public async Task WaitForAsync(string marker, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (!Text.Contains(marker, StringComparison.Ordinal))
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException(
                    $"\"{marker}\" did not appear in {Path} within {timeout.TotalSeconds} s; got:\n{Text}"
                );
            }
            await Task.Delay(50, cancellationToken);
        }
    }

    private async Task PumpAsync()
    {
        var buffer = new byte[4096];
        try
        {
            while (!_stop.IsCancellationRequested)
            {
                var read = await _reader!.ReadAsync(buffer, _stop.Token);
                if (read == 0)
                {
                    await Task.Delay(20, _stop.Token);
                    continue;
                }
                lock (_text)
                {
                    _text.Append(Encoding.UTF8.GetString(buffer, 0, read));
                }
            }
        }
        catch (OperationCanceledException) { }
        catch (IOException) { }
        catch (ObjectDisposedException) { }
    }

    public void Dispose()
    {
        _stop.Cancel();
        _reader?.Dispose();
        _reader = null;
    }
}
