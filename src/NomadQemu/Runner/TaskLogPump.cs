using System.Text;
using NomadQemu.Driver.Native;

namespace NomadQemu.Runner;

/// <summary>
/// Plays Nomad's logmon for one task stream: owns the FIFO the driver hands to QEMU, copies everything
/// to a log file (alloc/logs/TASK.stdout.0, as Nomad names it) and to the terminal with the task name in
/// front. The FIFO is opened read-only on a dedicated thread, so the reader sees end-of-file when the last
/// writer (QEMU) exits and every byte is drained before <see cref="StopAsync"/> returns.
/// </summary>
internal sealed class TaskLogPump
{
    private static readonly TimeSpan s_stopTimeout = TimeSpan.FromSeconds(3);

    private readonly string _fifoPath;
    private readonly string _logPath;
    private readonly string _owner;
    private readonly string _prefix;
    private readonly ConsoleSink? _console;
    private readonly Thread _thread;
    private readonly TaskCompletionSource _finished = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private volatile bool _stopping;

    public TaskLogPump(string fifoPath, string logPath, string owner, string prefix, ConsoleSink? console)
    {
        _fifoPath = fifoPath;
        _logPath = logPath;
        _owner = owner;
        _prefix = prefix;
        _console = console;
        LogFifo.Create(fifoPath);
        _thread = new Thread(Pump) { IsBackground = true, Name = $"log {owner}" };
    }

    public void Start() => _thread.Start();

    /// <summary>
    /// Lets the pump finish: after QEMU exited the reader is at end-of-file (or blocked waiting for a new
    /// writer), so a momentary writer of our own wakes it and it leaves. Bounded, never hangs the runner.
    /// </summary>
    public async Task StopAsync()
    {
        _stopping = true;
        var deadline = DateTime.UtcNow + s_stopTimeout;
        while (!_finished.Task.IsCompleted && DateTime.UtcNow < deadline)
        {
            LogFifo.WakeReader(_fifoPath);
            await Task.WhenAny(_finished.Task, Task.Delay(50)).ConfigureAwait(false);
        }
    }

    private void Pump()
    {
        try
        {
            using var log = new FileStream(_logPath, FileMode.Append, FileAccess.Write, FileShare.Read, 1);
            var decoder = Encoding.UTF8.GetDecoder();
            var buffer = new byte[16 * 1024];
            var chars = new char[Encoding.UTF8.GetMaxCharCount(buffer.Length)];
            var atLineStart = true;
            // A writer that comes and goes before QEMU (or QEMU restarting) must not end the pump: reopen until stopped.
            while (!_stopping)
            {
                using var fifo = new FileStream(LogFifo.OpenForReading(_fifoPath), FileAccess.Read, 1);
                int read;
                while ((read = fifo.Read(buffer, 0, buffer.Length)) > 0)
                {
                    log.Write(buffer, 0, read);
                    log.Flush();
                    if (_console is not null)
                    {
                        var count = decoder.GetChars(buffer, 0, read, chars, 0);
                        _console.Write(_owner, _prefix, new string(chars, 0, count), ref atLineStart);
                    }
                }
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            _console?.Line($"{_owner}: console log stopped: {e.Message}");
        }
        finally
        {
            _finished.TrySetResult();
        }
    }
}
