using System.Text;

namespace NomadQemu.Logging;

/// <summary>
/// The one place that writes log lines to stderr. Writes are serialised and never throw: when the
/// Nomad agent dies its end of the pipe closes, and a plugin that crashes on EPIPE would take every
/// VM's control with it. stdout is never touched here; it carries only the go-plugin handshake.
/// </summary>
internal sealed class HclogSink
{
    private readonly Stream _stderr;
    private readonly Lock _gate = new();
    private bool _broken;

    public HclogSink(Stream stderr) => _stderr = stderr;

    public static HclogSink Stderr { get; } = new(Console.OpenStandardError());

    public void Write(string line)
    {
        var bytes = Encoding.UTF8.GetBytes(line + "\n");
        lock (_gate)
        {
            if (_broken)
            {
                return;
            }
            try
            {
                _stderr.Write(bytes);
                _stderr.Flush();
            }
            catch (IOException)
            {
                // The reader is gone (agent exited). Stop trying; the VMs do not depend on our logs.
                _broken = true;
            }
            catch (ObjectDisposedException)
            {
                _broken = true;
            }
        }
    }
}
