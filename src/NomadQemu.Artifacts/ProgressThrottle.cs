using System.Diagnostics;

namespace NomadQemu.Artifacts;

/// <summary>
/// Forwards progress at most once per interval (plus forced reports at phase boundaries), so a 10 GiB
/// download does not produce one callback per network buffer.
/// </summary>
internal sealed class ProgressThrottle
{
    private readonly IProgress<ArtifactProgress>? _sink;
    private readonly string _source;
    private readonly long _intervalTicks;
    private long _lastReportTimestamp;
    private ArtifactPhase? _lastPhase;

    public ProgressThrottle(IProgress<ArtifactProgress>? sink, string source, TimeSpan interval)
    {
        _sink = sink;
        _source = source;
        _intervalTicks = (long)(interval.TotalSeconds * Stopwatch.Frequency);
    }

    public void Report(ArtifactPhase phase, long bytesDone, long? totalBytes, bool force = false)
    {
        if (_sink is null)
        {
            return;
        }

        var now = Stopwatch.GetTimestamp();
        var phaseChanged = _lastPhase != phase;
        if (!force && !phaseChanged && now - _lastReportTimestamp < _intervalTicks)
        {
            return;
        }

        _lastReportTimestamp = now;
        _lastPhase = phase;
        _sink.Report(new ArtifactProgress(_source, phase, bytesDone, totalBytes));
    }
}
