using System.Diagnostics;
using System.Globalization;
using NomadQemu.Core.Config;
using NomadQemu.Driver;
using NomadQemu.Driver.Tasks;

namespace NomadQemu.Runner;

/// <summary>
/// The started VMs of one run: starts them (with their console pumps), prints where they answer, waits
/// for a signal or for one to exit, and stops them all the way Nomad would: StopTask with the task's
/// kill_timeout (an ACPI power-down first), then DestroyTask.
/// </summary>
internal sealed class RunningJob(QemuDriver driver, ConsoleSink console, RunSignals signals, string jobFile)
    : IDisposable
{
    private readonly List<Started> _started = [];
    private readonly List<TaskLogPump> _pumps = [];
    private readonly CancellationTokenSource _events = new();
    private Task? _eventPump;

    /// <summary>True when a VM failed to start, so its alloc dir (QEMU's own error) is worth keeping.</summary>
    public bool StartFailed { get; private set; }

    private sealed record Started(PlannedTask Task, Task<TaskExit> Exit)
    {
        public bool Destroyed { get; set; }
    }

    public async Task StartAsync(PlannedAlloc alloc, PlannedTask task)
    {
        var name = task.Spec.Name;
        var dir = alloc.Directory;
        var stdout = new TaskLogPump(
            dir.Fifo(name, "stdout"),
            dir.LogFile(name, "stdout"),
            $"{name}/stdout",
            $"{name} | ",
            console
        );
        var stderr = new TaskLogPump(
            dir.Fifo(name, "stderr"),
            dir.LogFile(name, "stderr"),
            $"{name}/stderr",
            $"{name} ! ",
            console
        );
        _pumps.Add(stdout);
        _pumps.Add(stderr);
        stdout.Start();
        stderr.Start();
        _eventPump ??= Task.Run(PrintEventsAsync);

        var clock = Stopwatch.StartNew();
        StartedTask started;
        try
        {
            started = await driver.StartTaskAsync(task.Request, CancellationToken.None);
        }
        catch (DriverException e)
        {
            StartFailed = true;
            await Task.WhenAll(stdout.StopAsync(), stderr.StopAsync());
            if (e.Kind == DriverErrorKind.InvalidConfig && e.InnerException is ConfigException config)
            {
                var located = ConfigKeyLocator.ErrorAt(
                    jobFile,
                    alloc.Group,
                    task.Spec,
                    config.Key,
                    $"task \"{name}\": {config.Message}"
                );
                throw new RunnerException(RunnerExit.BadJob, located.Format(), e);
            }
            var tail = LastLines(dir.LogFile(name, "stderr"), 3);
            throw new RunnerException(
                RunnerExit.StartFailed,
                $"task \"{name}\": the VM did not start: {e.Message}{(tail.Length > 0 ? "\n" + tail : "")}",
                e
            );
        }
        _started.Add(new Started(task, driver.WaitTaskAsync(task.Request.TaskId, CancellationToken.None)));
        var accelerator = driver.Describe(task.Request.TaskId).GetValueOrDefault("accelerator", "?");
        console.Line(
            $"{name}: VM started in {clock.Elapsed.TotalSeconds.ToString("0.0", CultureInfo.InvariantCulture)} s (accelerator {accelerator})"
        );
        foreach (var port in task.Ports)
        {
            if (started.GuestPorts.TryGetValue(port.Label, out var guestPort))
            {
                console.Line($"{name}: {Address(port, guestPort)} (port {port.Label} → guest {guestPort})");
            }
        }
    }

    /// <summary>Waits for a stop signal or the first VM to exit; returns the run's exit code.</summary>
    public async Task<int> SuperviseAsync()
    {
        if (_started.Count == 0)
        {
            return RunnerExit.Ok;
        }
        var signalled = Task.Delay(Timeout.Infinite, signals.Stop)
            .ContinueWith(_ => (TaskExit?)null, TaskScheduler.Default);
        var first = await Task.WhenAny(
            _started.Select(s => s.Exit.ContinueWith(t => (TaskExit?)t.Result, TaskScheduler.Default)).Append(signalled)
        );
        var exit = await first;
        if (exit is null)
        {
            await StopAllAsync();
            return RunnerExit.Ok;
        }
        var ended = _started.First(s => s.Exit.IsCompleted);
        console.Line($"{ended.Task.Spec.Name}: VM exited by itself ({Describe(exit)})");
        await StopAllAsync();
        return exit.ExitCode != 0 ? exit.ExitCode
            : exit.Error is not null ? RunnerExit.Failed
            : RunnerExit.Ok;
    }

    /// <summary>Kills and forgets anything still running, and drains the console pumps. Safe to call twice.</summary>
    public async Task TearDownAsync()
    {
        foreach (var started in _started.Where(s => !s.Destroyed))
        {
            await DestroyAsync(started);
        }
        await Task.WhenAll(_pumps.Select(p => p.StopAsync()));
        _pumps.Clear();
        await _events.CancelAsync();
        if (_eventPump is not null)
        {
            await _eventPump;
        }
    }

    public void Dispose() => _events.Dispose();

    private Task StopAllAsync() => Task.WhenAll(_started.Where(s => !s.Destroyed).Select(StopOneAsync));

    private async Task StopOneAsync(Started started)
    {
        var spec = started.Task.Spec;
        var clock = Stopwatch.StartNew();
        try
        {
            await driver.StopTaskAsync(started.Task.Request.TaskId, spec.KillTimeout, spec.KillSignal, signals.Force);
        }
        catch (OperationCanceledException) when (signals.Force.IsCancellationRequested)
        {
            // Second signal: DestroyTask below kills QEMU.
        }
        catch (DriverException e)
        {
            console.Line($"{spec.Name}: stopping failed: {e.Message}");
        }
        await DestroyAsync(started);
        if (started.Exit.IsCompletedSuccessfully)
        {
            console.Line(
                $"{spec.Name}: VM stopped after {clock.Elapsed.TotalSeconds.ToString("0.0", CultureInfo.InvariantCulture)} s ({Describe(started.Exit.Result)})"
            );
        }
    }

    private async Task DestroyAsync(Started started)
    {
        started.Destroyed = true;
        try
        {
            await driver.DestroyTaskAsync(started.Task.Request.TaskId, force: true, CancellationToken.None);
        }
        catch (DriverException e)
        {
            console.Line($"{started.Task.Spec.Name}: cleanup failed: {e.Message}");
        }
    }

    private async Task PrintEventsAsync()
    {
        try
        {
            await foreach (var driverEvent in driver.EventsAsync(_events.Token))
            {
                console.Line($"{driverEvent.TaskName}: {driverEvent.Message}");
            }
        }
        catch (OperationCanceledException) { }
    }

    private static string Address(AllocatedPort port, int guestPort)
    {
        var host = port.HostIp.Contains(':', StringComparison.Ordinal) ? $"[{port.HostIp}]" : port.HostIp;
        var label = port.Label.ToLowerInvariant();
        var https = guestPort is 443 or 8443 || label.Contains("https", StringComparison.Ordinal);
        var http =
            https
            || guestPort is 80 or 8000 or 8080
            || label.Contains("http", StringComparison.Ordinal)
            || label.Contains("web", StringComparison.Ordinal);
        return http ? $"{(https ? "https" : "http")}://{host}:{port.HostPort}/" : $"{host}:{port.HostPort}";
    }

    private static string Describe(TaskExit exit) =>
        exit.Error is not null ? exit.Error
        : exit.Signal != 0 ? $"killed by signal {exit.Signal}"
        : $"exit code {exit.ExitCode}";

    private static string LastLines(string file, int count)
    {
        try
        {
            return File.Exists(file)
                ? string.Join('\n', File.ReadLines(file).Where(l => l.Trim().Length > 0).TakeLast(count))
                : "";
        }
        catch (IOException)
        {
            return "";
        }
    }
}
