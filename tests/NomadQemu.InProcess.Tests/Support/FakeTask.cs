using System.Diagnostics;
using NomadQemu.Driver;
using NomadQemu.Driver.Supervision;
using NomadQemu.FakeQemu;
using NomadQemu.TestKit;

namespace NomadQemu.InProcess.Tests.Support;

/// <summary>
/// One task laid out as Nomad's client lays it out: alloc dir, task dir with a real qcow2 image in
/// <c>local/</c> (made by the real qemu-img), and plain files for the stdout/stderr logs the fake writes to.
/// </summary>
public sealed class FakeTask : IDisposable
{
    private readonly ShortTempDir _alloc = new();

    public FakeTask(string taskName = "web")
    {
        AllocDir = _alloc.Path;
        AllocId = Guid.NewGuid().ToString();
        TaskName = taskName;
        TaskId = $"{AllocId}/{taskName}/{Guid.NewGuid().ToString("N")[..8]}";
        TaskDir = Path.Combine(AllocDir, taskName);
        Directory.CreateDirectory(Path.Combine(TaskDir, "local"));
        Directory.CreateDirectory(Path.Combine(AllocDir, "alloc", "logs"));
        StdoutPath = Path.Combine(AllocDir, "alloc", "logs", $"{taskName}.stdout.0");
        StderrPath = Path.Combine(AllocDir, "alloc", "logs", $"{taskName}.stderr.0");
        CreateImage(ImagePath);
    }

    public string AllocDir { get; }
    public string AllocId { get; }
    public string TaskName { get; }
    public string TaskId { get; }
    public string TaskDir { get; }
    public string StdoutPath { get; }
    public string StderrPath { get; }
    public string RunDir => Path.Combine(TaskDir, QemuDriver.RunDirName);

    /// <summary>Where the driver keeps the disk overlay and blank disks, across task restarts.</summary>
    public string Overlay => Path.Combine(TaskDir, QemuDriver.BlankDiskDirName, QemuDriver.OverlayFileName);

    public string ImagePath => Path.Combine(TaskDir, "local", "disk.qcow2");

    public string Stdout => File.Exists(StdoutPath) ? File.ReadAllText(StdoutPath) : "";
    public string Stderr => File.Exists(StderrPath) ? File.ReadAllText(StderrPath) : "";

    /// <summary>
    /// The core's request for this task. <paramref name="fakeMode"/> reaches the fake through a file in the task dir
    /// (the parent of its working directory, the run dir): QEMU's environment is the driver's, never the task's.
    /// </summary>
    public TaskRequest Request(string fakeMode = "", params (string Key, object? Value)[] config)
    {
        File.WriteAllText(Path.Combine(TaskDir, FakeMode.FileName), fakeMode);
        return new()
        {
            TaskId = TaskId,
            TaskName = TaskName,
            AllocId = AllocId,
            AllocDir = AllocDir,
            StdoutPath = StdoutPath,
            StderrPath = StderrPath,
            MemoryMb = 128,
            Env = new Dictionary<string, string> { [FakeMode.Variable] = fakeMode },
            DriverConfig = VmTask.DriverConfig([("accelerator", "tcg"), .. config]),
        };
    }

    /// <summary>A new empty qcow2 at <paramref name="path"/> (a new file: the old name is replaced, not rewritten).</summary>
    public static void CreateImage(string path)
    {
        File.Delete(path);
        var start = new ProcessStartInfo("qemu-img", ["create", "-q", "-f", "qcow2", path, "16M"])
        {
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        using var process = Process.Start(start)!;
        var error = process.StandardError.ReadToEnd();
        process.WaitForExit();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"qemu-img create failed: {error}");
        }
    }

    /// <summary>The recorded QEMU and supervisor of this task, if it started.</summary>
    internal SupervisorStarted? Started => new RunDirectory(RunDir).ReadStarted();

    /// <summary>VMs outlive the driver by design, so a test ends its own: the recorded QEMU only (never by name).</summary>
    public void Dispose()
    {
        if (Started is { } started && started.Qemu.TrySignal(Signals.SIGKILL))
        {
            started.Supervisor.WaitGone(TimeSpan.FromSeconds(10));
        }
        _alloc.Dispose();
    }
}
