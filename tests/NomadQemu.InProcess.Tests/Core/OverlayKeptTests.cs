using NomadQemu.Driver;
using NomadQemu.InProcess.Tests.Support;
using Process = System.Diagnostics.Process;
using ProcessStartInfo = System.Diagnostics.ProcessStartInfo;

namespace NomadQemu.InProcess.Tests.Core;

/// <summary>
/// The default disk overlay is the task's, kept across restarts within the allocation (Nomad restarts a failed task
/// in the same task dir): what the guest wrote is there at the next start, and only an overlay the driver made over
/// the very same image is reused. Guest writes are made with the real qemu-io while the task is stopped.
/// </summary>
public sealed class OverlayKeptTests : IDisposable
{
    private const string Pattern = "0x5a";
    private readonly FakeNode _node = new();
    private readonly FakeTask _task = new();

    [Fact]
    public async Task Restart_SameTaskDir_WhatTheGuestWroteIsStillThere()
    {
        await using var driver = _node.NewDriver();
        await using var events = new EventLog(driver);
        await RunOnceAsync(driver, _task);
        Assert.True(File.Exists(_task.Overlay), "the overlay is in the task's disk folder");
        Assert.False(File.Exists(Path.Combine(_task.RunDir, "overlay.qcow2")), "no overlay in the run dir");
        QemuIo(_task.Overlay, $"write -P {Pattern} 0 64k");
        var inode = Inode(_task.Overlay);

        await driver.StartTaskAsync(_task.Request(), Timeouts.Token());

        Assert.Equal(_task.Overlay, driver.Describe(_task.TaskId)["disk"]);
        Assert.Equal(inode, Inode(_task.Overlay));
        await StopAndDestroyAsync(driver, _task);
        Assert.DoesNotContain("verification failed", QemuIo(_task.Overlay, $"read -P {Pattern} 0 64k"));
        Assert.DoesNotContain(events.All(_task.TaskId), e => e.Contains("not reused", StringComparison.Ordinal));
    }

    [Fact]
    public async Task NewAllocation_StartsFromTheCleanImage()
    {
        await using var driver = _node.NewDriver();
        await RunOnceAsync(driver, _task);
        QemuIo(_task.Overlay, $"write -P {Pattern} 0 64k");
        using var other = new FakeTask();

        await RunOnceAsync(driver, other);

        Assert.NotEqual(Inode(_task.Overlay), Inode(other.Overlay));
        Assert.Contains("verification failed", QemuIo(other.Overlay, $"read -P {Pattern} 0 64k"));
        Assert.DoesNotContain("verification failed", QemuIo(other.Overlay, "read -P 0 0 64k"));
    }

    [Fact]
    public async Task Restart_ImageReplacedUnderTheSameName_OverlayRecreatedWithAnEvent()
    {
        await using var driver = _node.NewDriver();
        await using var events = new EventLog(driver);
        await RunOnceAsync(driver, _task);
        QemuIo(_task.Overlay, $"write -P {Pattern} 0 64k");
        FakeTask.CreateImage(_task.ImagePath);

        await driver.StartTaskAsync(_task.Request(), Timeouts.Token());

        var e = await events.WaitForAsync(_task.TaskId, "is not reused");
        Assert.Contains("the image it was made over has changed", e.Message, StringComparison.Ordinal);
        await StopAndDestroyAsync(driver, _task);
        Assert.Contains("verification failed", QemuIo(_task.Overlay, $"read -P {Pattern} 0 64k"));
    }

    [Fact]
    public async Task Restart_OverlayReplacedByALink_LinkRemovedNeverFollowed()
    {
        await using var driver = _node.NewDriver();
        await using var events = new EventLog(driver);
        await RunOnceAsync(driver, _task);
        // A qcow2 elsewhere that the driver must neither open for QEMU nor overwrite.
        var victim = Path.Combine(_task.AllocDir, "victim.qcow2");
        FakeTask.CreateImage(victim);
        var victimBytes = File.ReadAllBytes(victim);
        File.Delete(_task.Overlay);
        File.CreateSymbolicLink(_task.Overlay, victim);

        await driver.StartTaskAsync(_task.Request(), Timeouts.Token());

        var e = await events.WaitForAsync(_task.TaskId, "is not reused");
        Assert.Contains("a link is refused", e.Message, StringComparison.Ordinal);
        Assert.Null(new FileInfo(_task.Overlay).LinkTarget);
        Assert.Equal(victimBytes, File.ReadAllBytes(victim));
    }

    [Fact]
    public async Task Restart_RecordOfTheBaseMissing_OverlayNotReused()
    {
        await using var driver = _node.NewDriver();
        await using var events = new EventLog(driver);
        await RunOnceAsync(driver, _task);
        QemuIo(_task.Overlay, $"write -P {Pattern} 0 64k");
        File.Delete(_task.Overlay + ".base");

        await driver.StartTaskAsync(_task.Request(), Timeouts.Token());

        await events.WaitForAsync(_task.TaskId, "its record is missing");
        await StopAndDestroyAsync(driver, _task);
        Assert.Contains("verification failed", QemuIo(_task.Overlay, $"read -P {Pattern} 0 64k"));
    }

    [Fact]
    public async Task Restart_ExtraDiskImage_ItsOverlayIsKeptToo()
    {
        await using var driver = _node.NewDriver();
        var data = Path.Combine(_task.TaskDir, "local", "data.qcow2");
        FakeTask.CreateImage(data);
        (string, object?) disk = (
            "disk",
            new[]
            {
                new Dictionary<string, object?> { ["source"] = "local/data.qcow2", ["format"] = "qcow2" },
            }
        );
        var overlay = Path.Combine(_task.TaskDir, QemuDriver.BlankDiskDirName, "disk0-overlay.qcow2");
        await driver.StartTaskAsync(_task.Request("", disk), Timeouts.Token());
        await StopAndDestroyAsync(driver, _task);
        QemuIo(overlay, $"write -P {Pattern} 0 64k");
        var inode = Inode(overlay);

        await driver.StartTaskAsync(_task.Request("", disk), Timeouts.Token());
        await StopAndDestroyAsync(driver, _task);

        Assert.Equal(inode, Inode(overlay));
        Assert.DoesNotContain("verification failed", QemuIo(overlay, $"read -P {Pattern} 0 64k"));
        Assert.Contains("verification failed", QemuIo(data, $"read -P {Pattern} 0 64k"));
    }

    private static async Task RunOnceAsync(QemuDriver driver, FakeTask task)
    {
        await driver.StartTaskAsync(task.Request(), Timeouts.Token());
        await StopAndDestroyAsync(driver, task);
    }

    /// <summary>Nomad's restart: stop, wait, destroy (which removes the run dir), then a start in the same task dir.</summary>
    private static async Task StopAndDestroyAsync(QemuDriver driver, FakeTask task)
    {
        await driver.StopTaskAsync(task.TaskId, TimeSpan.FromSeconds(30), "SIGTERM", Timeouts.Token());
        await driver.WaitTaskAsync(task.TaskId, Timeouts.Token());
        await driver.DestroyTaskAsync(task.TaskId, force: false, Timeouts.Token());
        Assert.False(Directory.Exists(task.RunDir), "destroy removed the run dir");
    }

    /// <summary>The inode of a regular file (links refused): same inode, same overlay file.</summary>
    private static ulong Inode(string path)
    {
        Assert.Null(new FileInfo(path).LinkTarget);
        return ulong.Parse(Run("stat", ["-c", "%i", path]).Trim(), System.Globalization.CultureInfo.InvariantCulture);
    }

    /// <summary>The real qemu-io on the overlay alone (it names no backing file); returns its output.</summary>
    private static string QemuIo(string overlay, string command) =>
        Run("qemu-io", ["-f", "qcow2", "-c", command, overlay]);

    private static string Run(string program, string[] arguments)
    {
        var start = new ProcessStartInfo(program, arguments)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEnd() + process.StandardError.ReadToEnd();
        process.WaitForExit();
        Assert.True(process.ExitCode == 0 || program == "qemu-io", $"{program} failed: {output}");
        return output;
    }

    public void Dispose()
    {
        _task.Dispose();
        _node.Dispose();
    }
}
