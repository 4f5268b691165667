using NomadQemu.Runner.Tests.Fixtures;

namespace NomadQemu.Runner.Tests;

/// <summary>
/// run and validate given a job file, or a <c>file()</c> call, that names a FIFO or a device: the published
/// binary refuses it at once with exit code 2 and an error naming the path and the rule, instead of waiting
/// forever for a writer or reading an endless device.
/// </summary>
public sealed class JobFileKindTests : IDisposable
{
    // Far above the few hundred milliseconds a refusal takes, far below "blocked for good".
    private static readonly TimeSpan s_timeout = TestEnvironment.Scaled(30);
    private const string Rule = "only a regular file can be read";
    private readonly ShortTempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    private string MakeFifo(string name)
    {
        var path = Path.Combine(_dir.Path, name);
        Fifo.MakeWithoutReader(path);
        return path;
    }

    [Theory]
    [InlineData("validate")]
    [InlineData("run")]
    public async Task JobFileThatIsAFifo_IsRefusedAtOnce(string command)
    {
        var fifo = MakeFifo("job.nomad.hcl");

        var (code, _, stderr) = await RunnerProcess.RunAsync(s_timeout, command, fifo);

        Assert.True(code == 2, $"exit {code}\n{stderr}");
        Assert.Contains($"{fifo}: cannot read the job file: it is a FIFO (named pipe), and {Rule}", stderr);
    }

    [Fact]
    public async Task JobFileThatIsAnEndlessDevice_IsRefusedAtOnce()
    {
        var (code, _, stderr) = await RunnerProcess.RunAsync(s_timeout, "validate", "/dev/zero");

        Assert.True(code == 2, $"exit {code}\n{stderr}");
        Assert.Contains($"/dev/zero: cannot read the job file: it is a character device, and {Rule}", stderr);
    }

    [Fact]
    public async Task FileFunctionOnAFifo_IsAPositionedRefusal()
    {
        var fifo = MakeFifo("user-data");
        var job = _dir.File(
            "file-fifo.nomad.hcl",
            """
            job "j" {
              group "g" {
                task "vm" {
                  driver = "qemu"
                  meta {
                    user_data = file("user-data")
                  }
                }
              }
            }
            """
        );

        var (code, _, stderr) = await RunnerProcess.RunAsync(s_timeout, "validate", job);

        Assert.True(code == 2, $"exit {code}\n{stderr}");
        Assert.Contains($"{job}:6:21: file(): cannot read \"{fifo}\": it is a FIFO (named pipe), and {Rule}", stderr);
    }
}
