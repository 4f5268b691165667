using NomadQemu.Runner.Tests.Fixtures;

namespace NomadQemu.Runner.Tests;

/// <summary>`validate` through the published binary: positions are exact, causes are named, nothing starts.</summary>
public sealed class ValidateTests : IDisposable
{
    private static readonly TimeSpan s_timeout = TestEnvironment.Scaled(60);
    private readonly ShortTempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    private const string Header = """
        job "broken" {
          group "g" {

        """;

    [Fact]
    public async Task Validate_ExampleJob_IsValid()
    {
        var (code, stdout, stderr) = await RunnerProcess.RunAsync(
            s_timeout,
            "validate",
            RepoFiles.ExampleJob,
            "--var",
            "image_url=http://127.0.0.1:9/disk.qcow2",
            "--var",
            "image_checksum=sha256:" + new string('0', 64)
        );

        Assert.True(code == 0, $"exit {code}\n{stdout}\n{stderr}");
        Assert.Contains("task \"hello\": ok", stdout);
        Assert.EndsWith("job is valid", stdout.Trim());
    }

    [Fact]
    public async Task Validate_SyntaxError_ReportsFileLineColumnWithCaret()
    {
        var job = _dir.File(
            "syntax.nomad.hcl",
            Header
                + """
                    task "t" {
                      driver = "qemu
                    }
                  }
                }
                """
        );

        var (code, _, stderr) = await RunnerProcess.RunAsync(s_timeout, "validate", job);

        Assert.Equal(2, code);
        // Line 4 is `      driver = "qemu`; the string that never ends opens in column 16.
        Assert.Contains($"{job}:4:16: unterminated string", stderr);
        Assert.Contains("      driver = \"qemu\n               ^", stderr);
    }

    [Fact]
    public async Task Validate_OtherDriver_NamesTaskAndDriver()
    {
        var job = _dir.File(
            "docker.nomad.hcl",
            Header
                + """
                    task "web" {
                      driver = "docker"
                      config {
                        image = "nginx"
                      }
                    }
                  }
                }
                """
        );

        var (code, _, stderr) = await RunnerProcess.RunAsync(s_timeout, "validate", job);

        Assert.Equal(2, code);
        Assert.Contains($"{job}:3:5: task \"web\" uses driver \"docker\"", stderr);
    }

    [Fact]
    public async Task Validate_UnknownConfigKey_PointsAtTheKey()
    {
        var job = _dir.File(
            "key.nomad.hcl",
            Header
                + """
                    task "vm" {
                      driver = "qemu"
                      config {
                        image_path = "local/disk.img"
                        imagepath  = "local/disk.img"
                      }
                    }
                  }
                }
                """
        );

        var (code, _, stderr) = await RunnerProcess.RunAsync(s_timeout, "validate", job);

        Assert.Equal(2, code);
        Assert.Contains($"{job}:7:9: task \"vm\": unknown config key \"imagepath\"", stderr);
        Assert.Contains("        imagepath  = \"local/disk.img\"\n        ^", stderr);
    }

    [Fact]
    public async Task Validate_WrongValueType_NamesTaskAndKey()
    {
        var job = _dir.File(
            "type.nomad.hcl",
            Header
                + """
                    task "vm" {
                      driver = "qemu"
                      config {
                        image_path        = "local/disk.img"
                        graceful_shutdown = "sometimes"
                      }
                    }
                  }
                }
                """
        );

        var (code, _, stderr) = await RunnerProcess.RunAsync(s_timeout, "validate", job);

        Assert.Equal(2, code);
        Assert.Contains($"{job}:7:9: task \"vm\": config key \"graceful_shutdown\"", stderr);
    }

    [Fact]
    public async Task Validate_BlockKeys_AreDecodedAndErrorsPointIntoTheBlock()
    {
        // The job-file path hands blocks over as Nomad's API does (a list of objects): a good cloud_init and two
        // disk blocks pass decoding, and a bad value in the second disk is reported at that very line.
        var job = _dir.File(
            "blocks.nomad.hcl",
            Header
                + """
                    task "vm" {
                      driver = "qemu"
                      config {
                        image_path = "local/disk.img"
                        cloud_init {
                          user_data = "#cloud-config\n"
                          meta_data = { zone = "a" }
                        }
                        disk {
                          size = "1GiB"
                        }
                        disk {
                          size = "lots"
                        }
                      }
                    }
                  }
                }
                """
        );

        var (code, _, stderr) = await RunnerProcess.RunAsync(s_timeout, "validate", job);

        Assert.Equal(2, code);
        Assert.Contains($"{job}:15:11: task \"vm\": config key \"disk[1].size\"", stderr);
        Assert.Contains("          size = \"lots\"\n          ^", stderr);
    }

    [Fact]
    public async Task Validate_MissingImage_IsAnErrorWithoutArtifact()
    {
        var job = _dir.File(
            "image.nomad.hcl",
            Header
                + """
                    task "vm" {
                      driver = "qemu"
                      config {
                        image_path = "local/missing.qcow2"
                      }
                    }
                  }
                }
                """
        );

        var (code, _, stderr) = await RunnerProcess.RunAsync(s_timeout, "validate", job);

        Assert.Equal(2, code);
        Assert.Contains(
            $"{job}:6:9: task \"vm\": config key \"image_path\": \"local/missing.qcow2\" does not exist (beneath ",
            stderr
        );
    }

    [Fact]
    public async Task Validate_MissingRequiredVariable_IsRejected()
    {
        var (code, _, stderr) = await RunnerProcess.RunAsync(s_timeout, "validate", RepoFiles.ExampleJob);

        Assert.Equal(2, code);
        Assert.Contains("image_url", stderr);
        Assert.Contains(RepoFiles.ExampleJob + ":", stderr);
    }
}
