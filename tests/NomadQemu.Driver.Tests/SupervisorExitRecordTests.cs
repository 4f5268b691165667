using NomadQemu.Driver.Supervision;

namespace NomadQemu.Driver.Tests;

/// <summary>
/// How the supervisor turns waitpid's answer into the exit record. A failed waitpid (QEMU reaped by someone
/// else, so its status is gone) must read as an unknown outcome with the reason, never as a real exit code
/// (it used to be recorded as exit code 127).
/// </summary>
public sealed class SupervisorExitRecordTests
{
    [Fact]
    public void FailedWaitpid_IsAnExplicitUnknownOutcome()
    {
        var record = Supervisor.ToExitRecord(
            (0, "waitpid(1234) failed: No child processes"),
            jailed: false,
            oomKilled: false
        );

        Assert.Equal(-1, record.ExitCode);
        Assert.Equal(0, record.Signal);
        Assert.NotNull(record.Error);
        Assert.Contains("unknown", record.Error, StringComparison.Ordinal);
        Assert.Contains("No child processes", record.Error, StringComparison.Ordinal);
        Assert.False(Tasks.TaskHandle.ToTaskExit(record).Successful);
    }

    [Theory]
    [InlineData(0x0000, 0, 0)] // exit(0)
    [InlineData(0x0300, 3, 0)] // exit(3)
    [InlineData(0x0009, 137, 9)] // killed by SIGKILL
    [InlineData(0x000f, 143, 15)] // killed by SIGTERM
    public void WaitStatus_IsDecoded(int status, int exitCode, int signal)
    {
        var record = Supervisor.ToExitRecord((status, null), jailed: false, oomKilled: false);

        Assert.Equal(exitCode, record.ExitCode);
        Assert.Equal(signal, record.Signal);
        Assert.Null(record.Error);
    }

    // Jailed, the supervisor waits for bwrap, which exits 128 + n when QEMU was killed by signal n.
    [Theory]
    [InlineData(0x0000, 0, 0)] // QEMU exit(0)
    [InlineData(0x0100, 1, 0)] // QEMU exit(1)
    [InlineData(0x8900, 137, 9)] // bwrap exit(137): QEMU killed by SIGKILL
    [InlineData(0x8f00, 143, 15)] // bwrap exit(143): QEMU killed by SIGTERM
    [InlineData(0x0009, 137, 9)] // bwrap itself killed by SIGKILL
    [InlineData(0xff00, 255, 0)] // 255 is past every signal: a plain code
    public void JailedWaitStatus_ReadsBwrapsFoldedSignal(int status, int exitCode, int signal)
    {
        var record = Supervisor.ToExitRecord((status, null), jailed: true, oomKilled: false);

        Assert.Equal(exitCode, record.ExitCode);
        Assert.Equal(signal, record.Signal);
        Assert.Null(record.Error);
    }
}
