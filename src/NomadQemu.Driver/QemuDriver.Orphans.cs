using NomadQemu.Driver.Logging;
using NomadQemu.Driver.Supervision;

namespace NomadQemu.Driver;

public sealed partial class QemuDriver
{
    private readonly Lock _ledgerGate = new();
    private TaskLedger? _ledger;
    private int _orphanSweepDone;

    /// <summary>The ledger in the configured state dir (created on first use, after SetConfig).</summary>
    private TaskLedger? Ledger
    {
        get
        {
            lock (_ledgerGate)
            {
                if (_ledger is null || _ledger.Directory != Path.Combine(StateDir, "tasks"))
                {
                    try
                    {
                        _ledger = new TaskLedger(StateDir);
                    }
                    catch (Exception e) when (e is IOException or UnauthorizedAccessException)
                    {
                        DriverLog.StateDirUnusable(_log, StateDir, e.Message);
                        _ledger = null;
                    }
                }
                return _ledger;
            }
        }
    }

    private string StateDir => string.IsNullOrEmpty(_config.StateDir) ? TaskLedger.DefaultStateDir() : _config.StateDir;

    /// <summary>
    /// Once per process, when the long-lived instance starts serving (first fingerprint): finds tasks whose
    /// StartTask was cut short by a dead plugin, kills their QEMU and removes their files. Start-up launches
    /// that only fingerprint the binary never get here, so they have no side effects.
    /// </summary>
    public void SweepOrphansOnce()
    {
        if (Interlocked.Exchange(ref _orphanSweepDone, 1) == 1 || Ledger is not { } ledger)
        {
            return;
        }
        foreach (var orphan in ledger.Orphans())
        {
            if (_tasks.Contains(orphan.TaskId))
            {
                continue;
            }
            var run = new RunDirectory(orphan.RunDir);
            if (run.ReadStarted() is { } started)
            {
                if (started.Qemu.TrySignal(Signals.SIGKILL))
                {
                    started.Qemu.WaitGone(TimeSpan.FromSeconds(5));
                }
                started.Supervisor.WaitGone(TimeSpan.FromSeconds(5));
            }
            RemoveTaskFiles(orphan.RunDir);
            ledger.Forget(orphan.TaskId);
            DriverLog.OrphanRemoved(_log, orphan.TaskId, orphan.RunDir);
        }
    }
}
