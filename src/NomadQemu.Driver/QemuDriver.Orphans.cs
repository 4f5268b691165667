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
            RemoveOrphanRun(orphan.RunDir);
            ledger.Forget(orphan.TaskId);
            DriverLog.OrphanRemoved(_log, orphan.TaskId, orphan.RunDir);
        }
    }

    /// <summary>
    /// For the runner, where no Nomad client will ever recover a task: stops every VM in the ledger whose
    /// owning process is dead (a `run` that was SIGKILLed), removes its run dir and forgets it. Returns the
    /// run dirs it cleaned. VMs of a live owner (another `run` on the same data dir) are never touched.
    /// </summary>
    public IReadOnlyList<string> StopAbandonedTasks()
    {
        if (Ledger is not { } ledger)
        {
            return [];
        }
        var stopped = new List<string>();
        foreach (var entry in ledger.Abandoned())
        {
            if (_tasks.Contains(entry.TaskId))
            {
                continue;
            }
            RemoveOrphanRun(entry.RunDir);
            ledger.Forget(entry.TaskId);
            DriverLog.AbandonedTaskStopped(_log, entry.TaskId, entry.RunDir);
            stopped.Add(entry.RunDir);
        }
        return stopped;
    }

    /// <summary>
    /// Moves the run dir aside first, so a supervisor still starting can no longer write into it (its next
    /// record fails and it gives up, killing QEMU if it had spawned one); then kills what the moved records
    /// name: the supervisor's whole process group (QEMU inherits it) and the recorded QEMU, then deletes.
    /// </summary>
    private void RemoveOrphanRun(string runDir)
    {
        var aside = $"{runDir}.orphan-{Guid.NewGuid():N}";
        try
        {
            Directory.Move(runDir, aside);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            aside = runDir;
        }
        var run = new RunDirectory(aside);
        if (run.ReadSupervisor() is { } supervisor && supervisor.Identity.IsAlive())
        {
            // setsid made the supervisor its group's leader; the pid cannot be reused while the group lives.
            Native.LibC.kill(-supervisor.Pid, Signals.SIGKILL);
            supervisor.Identity.WaitGone(TimeSpan.FromSeconds(5));
        }
        if (run.ReadStarted() is { } started)
        {
            if (started.Qemu.TrySignal(Signals.SIGKILL))
            {
                started.Qemu.WaitGone(TimeSpan.FromSeconds(5));
            }
            started.Supervisor.WaitGone(TimeSpan.FromSeconds(5));
        }
        RemoveTaskFiles(aside);
    }
}
