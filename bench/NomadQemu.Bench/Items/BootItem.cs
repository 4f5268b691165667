using System.Diagnostics;
using NomadQemu.Bench.Measure;
using NomadQemu.Bench.Report;
using NomadQemu.TestKit;

namespace NomadQemu.Bench.Items;

/// <summary>
/// Item 3: start → the guest's first HTTP 200, for (a) the built-in driver's exact command line run by hand,
/// (b) our driver with the same job (compat), (c) our recommended fast profile; interleaved a, b, c, a, b, c.
/// </summary>
public static class BootItem
{
    public const long MemoryMb = 256;

    public static async Task RunAsync(BenchContext context, ReportSection section)
    {
        var (session, stateDir) = await context.StartSessionAsync();
        await using var _ = session;
        using var __ = stateDir;
        var builtin = new Sample("s");
        var compat = new Sample("s");
        var fast = new Sample("s");
        var uefi = new Sample("s");
        string[] builtinArgv = [];
        for (var round = 0; round < context.Options.BootRounds; round++)
        {
            context.Log($"boot round {round + 1}/{context.Options.BootRounds}");
            var (seconds, argv) = await BuiltinAsync(context);
            builtin.Add(seconds);
            builtinArgv = argv;
            compat.Add(await OursAsync(context, session, task => VmTask.DriverConfig()));
            fast.Add(await OursAsync(context, session, DriverVm.FastConfig));
            uefi.Add(await OursAsync(context, session, UefiConfig));
        }
        section.Add(
            "(b) our driver, same job (profile compat), StartTask → HTTP 200",
            compat,
            "(a) built-in command line → HTTP 200",
            builtin
        );
        section.Add(
            "(c) our fast profile (q35, virtio, direct kernel boot), StartTask → HTTP 200",
            fast,
            "(a) built-in command line → HTTP 200",
            builtin
        );
        section.Add(
            "(d) (c) with firmware = \"uefi\" (OVMF, per-task variable store), StartTask → HTTP 200",
            uefi,
            "(c) the same job with the default BIOS",
            fast
        );
        section.Note(
            $"(a) is the built-in driver's argv (as nomad drivers/qemu/driver.go StartTask builds it), run by the suite on a fresh qcow2 overlay made before the clock starts (the built-in writes the image in place, so it has no disk step): `{string.Join(' ', builtinArgv.Skip(1))}`."
        );
        section.Note(
            $"All three: {MemoryMb} MB guest, TCG, fresh disk per boot, HTTP polled with a raw GET every 50 ms (0.3 s per attempt). (b) and (c) include everything StartTask does (validation, overlay, supervisor, QMP handshake)."
        );
    }

    /// <summary>(c) under UEFI: the first start of a task, so the variable store is copied from the template.</summary>
    private static byte[] UefiConfig(VmTask task) =>
        VmTask.DriverConfig([("profile", "fast"), ("firmware", "uefi"), .. task.DirectKernelBoot()]);

    /// <summary>The built-in driver's argv run by hand until HTTP 200 (also the cold baseline of item 12).</summary>
    public static async Task<(double Seconds, string[] Argv)> BuiltinAsync(BenchContext context)
    {
        using var task = new VmTask();
        var overlay = Path.Combine(task.TaskDir, "overlay.qcow2");
        await Command.RunAsync(
            "qemu-img",
            ["create", "-q", "-f", "qcow2", "-F", "qcow2", "-b", task.ImagePath, overlay],
            context.Cancellation
        );
        string[] argv =
        [
            QemuArgv.FindOnPath("qemu-system-x86_64"),
            "-machine",
            "type=pc,accel=tcg",
            "-name",
            "disk.qcow2",
            "-m",
            $"{MemoryMb}M",
            "-drive",
            $"file={overlay},if=ide,id=image0",
            "-nographic",
            "-netdev",
            $"user,id=user.0,hostfwd=tcp::{task.HostPort}-:80",
            "-device",
            "virtio-net,netdev=user.0",
        ];
        var watch = Stopwatch.StartNew();
        await using var vm = RawVm.Start(argv, task.TaskDir);
        await HttpProbe.WaitFor200Async(task.HostPort, context.BootTimeout, () => vm.Output, context.Cancellation);
        return (watch.Elapsed.TotalSeconds, argv);
    }

    private static async Task<double> OursAsync(
        BenchContext context,
        PluginSession session,
        Func<VmTask, byte[]> config
    )
    {
        var task = new VmTask();
        var bytes = config(task);
        var watch = Stopwatch.StartNew();
        await using var vm = await DriverVm.StartAsync(session, task, bytes, MemoryMb, context.Cancellation);
        await HttpProbe.WaitFor200Async(
            task.HostPort,
            context.BootTimeout,
            () => task.Stdout.Text + task.Stderr.Text,
            context.Cancellation
        );
        return watch.Elapsed.TotalSeconds;
    }
}
