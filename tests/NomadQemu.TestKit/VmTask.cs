using System.Net;
using System.Net.Sockets;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using NomadQemu.Protocol.Drivers;

namespace NomadQemu.TestKit;

/// <summary>
/// One task laid out the way Nomad's client lays it out: an alloc dir with <c>alloc/logs</c> FIFOs (read by
/// us, as logmon would), a task dir whose <c>local/</c> holds the guest image (as an artifact would put it),
/// and a group-network port forwarded to the guest's HTTP server.
/// </summary>
public sealed class VmTask : IDisposable
{
    private readonly ShortTempDir _alloc;

    public VmTask(string taskName = "web", bool copyImage = true, string? allocDir = null)
    {
        _alloc = new ShortTempDir();
        AllocDir = allocDir ?? _alloc.Path;
        AllocId = Guid.NewGuid().ToString();
        TaskName = taskName;
        TaskDir = Path.Combine(AllocDir, taskName);
        Directory.CreateDirectory(Path.Combine(TaskDir, "local"));
        Directory.CreateDirectory(Path.Combine(AllocDir, "alloc", "logs"));
        Stdout = new Fifo(Path.Combine(AllocDir, "alloc", "logs", $".{taskName}.stdout.fifo"));
        Stderr = new Fifo(Path.Combine(AllocDir, "alloc", "logs", $".{taskName}.stderr.fifo"));
        ImagePath = Path.Combine(TaskDir, "local", "disk.qcow2");
        if (copyImage)
        {
            File.Copy(Path.Combine(TestEnvironment.GuestDir, "disk.qcow2"), ImagePath);
        }
        HostPort = FreePort();
        TaskId = $"{AllocId}/{taskName}/{Guid.NewGuid().ToString("N")[..8]}";
    }

    public string AllocDir { get; }
    public string AllocId { get; }
    public string TaskName { get; }
    public string TaskDir { get; }
    public string TaskId { get; }
    public string ImagePath { get; }
    public int HostPort { get; }
    public Fifo Stdout { get; }
    public Fifo Stderr { get; }
    public string RunDir => Path.Combine(TaskDir, ".qemu");
    public Uri Url => new($"http://127.0.0.1:{HostPort}/");

    /// <summary>The job's config block with every schema key present, as Nomad sends it; overrides replace keys.</summary>
    public static byte[] DriverConfig(params (string Key, object? Value)[] overrides)
    {
        var all = new Dictionary<string, object?>(StringComparer.Ordinal)
        {
            ["image_path"] = "local/disk.qcow2",
            ["emulator"] = "x86_64",
            ["machine_type"] = null,
            ["accelerator"] = "auto",
            ["drive_interface"] = null,
            ["graceful_shutdown"] = true,
            ["guest_agent"] = false,
            ["port_map"] = null,
            ["args"] = null,
            ["disk_mode"] = "overlay",
            ["image_format"] = null,
            ["profile"] = "compat",
            ["kernel"] = null,
            ["initrd"] = null,
            ["kernel_args"] = null,
            ["cpu_model"] = null,
            ["vcpus"] = null,
            ["cloud_init"] = null,
            ["firmware"] = "bios",
            ["secure_boot"] = false,
        };
        foreach (var (key, value) in overrides)
        {
            all[key] = value;
        }
        return NomadMsgpack.Object(all.Select(kv => (kv.Key, kv.Value)).ToArray());
    }

    /// <summary>Direct kernel boot of the test guest, with extra kernel flags (e.g. to ignore power-down).</summary>
    public (string Key, object? Value)[] DirectKernelBoot(string extraArgs = "")
    {
        File.Copy(
            Path.Combine(TestEnvironment.GuestDir, "vmlinuz"),
            Path.Combine(TaskDir, "local", "vmlinuz"),
            overwrite: true
        );
        File.Copy(
            Path.Combine(TestEnvironment.GuestDir, "initrd.gz"),
            Path.Combine(TaskDir, "local", "initrd.gz"),
            overwrite: true
        );
        return
        [
            ("kernel", "local/vmlinuz"),
            ("initrd", "local/initrd.gz"),
            ("kernel_args", ("console=ttyS0 quiet " + extraArgs).Trim()),
        ];
    }

    public TaskConfig TaskConfig(byte[] driverConfig, long memoryMb = 256, bool groupPort = true) =>
        new()
        {
            Id = TaskId,
            Name = TaskName,
            AllocId = AllocId,
            AllocDir = AllocDir,
            JobName = "e2e",
            TaskGroupName = "g",
            StdoutPath = Stdout.Path,
            StderrPath = Stderr.Path,
            MsgpackDriverConfig = ByteString.CopyFrom(driverConfig),
            Env = { ["NOMAD_TASK_DIR"] = Path.Combine(TaskDir, "local"), ["NOMAD_ALLOC_ID"] = AllocId },
            Resources = new Resources
            {
                AllocatedResources = new AllocatedTaskResources
                {
                    Memory = new AllocatedMemoryResources { MemoryMb = memoryMb },
                },
                Ports =
                {
                    groupPort
                        ?
                        [
                            new PortMapping
                            {
                                Label = "http",
                                Value = HostPort,
                                To = 80,
                                HostIp = "127.0.0.1",
                            },
                        ]
                        : Array.Empty<PortMapping>(),
                },
            },
        };

    public static Duration Seconds(double s) => Duration.FromTimeSpan(TimeSpan.FromSeconds(s));

    /// <summary>Polls the forwarded port until the guest's page answers.</summary>
    public async Task<string> WaitForPageAsync(string path, TimeSpan timeout, CancellationToken cancellationToken)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
        var deadline = DateTime.UtcNow + timeout;
        Exception? last = null;
        while (DateTime.UtcNow < deadline)
        {
            try
            {
                return await http.GetStringAsync(new Uri(Url, path), cancellationToken);
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
            {
                last = e;
                await Task.Delay(200, cancellationToken);
            }
        }
        throw new TimeoutException(
            $"the guest's {path} did not answer on {Url} within {timeout.TotalSeconds} s (last: {last?.Message}); console:\n{Stdout.Text}\nstderr:\n{Stderr.Text}"
        );
    }

    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    public void Dispose()
    {
        Stdout.Dispose();
        Stderr.Dispose();
        _alloc.Dispose();
    }
}
