using System.Globalization;
using NomadQemu.E2E.Tests.Lifecycle;
using NomadQemu.Protocol.Drivers;
using NomadQemu.TestKit;

namespace NomadQemu.E2E.Tests.Attacks;

/// <summary>
/// QEMU tries every ROM, BIOS and keymap name as a path relative to its working directory before its data dir.
/// A job plants links with those names in its task dir, pointing at a host file: QEMU must not run in the task
/// dir, so it loads its own firmware, the guest boots, and QEMU holds nothing of the host file.
/// </summary>
[Collection(VmCollection.Name)]
public sealed class RomLookupAttackTests : IAsyncLifetime
{
    // What a pc machine with the compat profile loads by name (SeaBIOS, the VGA BIOS, the kernel loader and
    // the NIC's option ROM), per QEMU 7.2's pc code and `strace -e openat`.
    private static readonly string[] s_romNames =
    [
        "bios-256k.bin",
        "bios.bin",
        "vgabios-stdvga.bin",
        "linuxboot_dma.bin",
        "linuxboot.bin",
        "kvmvapic.bin",
        "efi-e1000.rom",
        "efi-virtio.rom",
    ];

    private static CancellationToken Ct => TestContext.Current.CancellationToken;
    private readonly ShortTempDir _host = new();
    private PluginSession _session = null!;

    public async ValueTask InitializeAsync() => _session = await PluginSession.StartAsync(cancellationToken: Ct);

    public async ValueTask DisposeAsync()
    {
        await _session.DisposeAsync();
        _host.Dispose();
    }

    [Fact(Timeout = 180_000)]
    public async Task RomNamesLinkedToAHostFileInTheTaskDir_QemuLoadsItsOwnAndBoots()
    {
        var target = Path.Combine(_host.Path, "host-secret");
        await File.WriteAllTextAsync(target, "not a BIOS: a host secret\n", Ct);
        using var task = new VmTask();
        foreach (var name in s_romNames)
        {
            File.CreateSymbolicLink(Path.Combine(task.TaskDir, name), target);
        }
        await _session.Driver.StartTaskAsync(
            new StartTaskRequest { Task = task.TaskConfig(VmTask.DriverConfig()) },
            cancellationToken: Ct
        );
        try
        {
            var inspect = await _session.Driver.InspectTaskAsync(
                new InspectTaskRequest { TaskId = task.TaskId },
                cancellationToken: Ct
            );
            var pid = int.Parse(inspect.Driver.Attributes["qemu_pid"], CultureInfo.InvariantCulture);

            // Unjailed QEMU works in the private run dir; jailed, in the root of its own minimal file system.
            Assert.Contains(new DirectoryInfo($"/proc/{pid}/cwd").LinkTarget, new[] { task.RunDir, "/" });
            // A 26-byte "BIOS" would have stopped QEMU ("could not load PC BIOS") or hung the guest.
            Assert.Contains("nomad-qemu test guest", await task.WaitForPageAsync("/", TestEnvironment.Scaled(90), Ct));
            Assert.DoesNotContain(HostFiles.Identity(target), HostFiles.HeldBy(pid));
        }
        finally
        {
            await _session.Driver.DestroyTaskAsync(
                new DestroyTaskRequest { TaskId = task.TaskId, Force = true },
                cancellationToken: Ct
            );
        }
    }
}
