using System.Diagnostics;
using System.Text.Json;
using NomadQemu.Bench.Items;
using NomadQemu.Bench.Report;

namespace NomadQemu.Bench;

/// <summary>Runs the numbered items in order, each into its own report section; one failing item does not stop the others.</summary>
public static class BenchSuite
{
    public sealed record Outcome(BenchReport Report, IReadOnlyList<string> Failures, string MarkdownPath);

    public static async Task<Outcome> RunAsync(
        BenchOptions options,
        TextWriter log,
        CancellationToken cancellationToken
    )
    {
        // TestKit finds the plugin and the guest through these, as under scripts/test.sh.
        Environment.SetEnvironmentVariable("NOMAD_QEMU_BINARY", options.Binary);
        Environment.SetEnvironmentVariable("NOMAD_QEMU_TEST_GUEST", options.GuestDir);
        Directory.CreateDirectory(options.OutDir);
        Directory.CreateDirectory(options.CacheDir);
        var context = new BenchContext(options, log, cancellationToken);
        var report = new BenchReport(
            MachineInfo.Collect(options.RepoRoot, await AcceleratorAsync(context)),
            options.Quick
        );
        var failures = new List<string>();
        var total = Stopwatch.StartNew();

        async Task Item(int number, string title, string method, Func<ReportSection, Task> run)
        {
            var section = new ReportSection(
                number.ToString(System.Globalization.CultureInfo.InvariantCulture),
                title,
                method
            );
            report.Sections.Add(section);
            if (!options.Runs(number))
            {
                section.SkippedBecause = "not selected (--only).";
                return;
            }
            context.Log($"item {number}: {title}");
            var watch = Stopwatch.StartNew();
            try
            {
                await run(section);
            }
            catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
            {
                failures.Add($"item {number} ({title}): {e}");
                section.SkippedBecause = $"FAILED: {e.GetType().Name}: {e.Message}";
                context.Log($"item {number} failed: {e}");
            }
            context.Log($"item {number} took {watch.Elapsed.TotalSeconds:0} s");
        }

        await Item(
            1,
            "Plugin start",
            "Process start of the published executable until its go-plugin handshake line, and its idle memory.",
            s => PluginStartItem.RunAsync(context, s)
        );
        await Item(
            2,
            "StartTask and per-task disk",
            "StartTask until it returns (QEMU running, not booted); the per-task disk preparation alone; the jail's cost.",
            async s =>
            {
                await StartTaskItem.RunAsync(context, s);
                await DiskPrepItem.RunAsync(context, s);
                await JailItem.RunAsync(context, s);
            }
        );
        await Item(
            3,
            "Boot to service",
            "Start until the test guest's first HTTP 200 on the forwarded port; (a), (b), (c) interleaved.",
            s => BootItem.RunAsync(context, s)
        );
        await Item(
            4,
            "Graceful stop",
            "StopTask (ACPI power-down) until WaitTask returns, for a booted guest that honours the power button.",
            s => StopItem.RunAsync(context, s)
        );
        await Item(
            5,
            "Checksum verification",
            "Artifact checksum throughput on the same file.",
            s => ChecksumItem.RunAsync(context, s)
        );

        LiveFleet? fleet = null;
        await Item(
            6,
            "Density",
            $"{options.DensityVms} VMs started concurrently through one plugin.",
            async s => fleet = await new DensityItem(context).RunAsync(s)
        );
        await Item(
            7,
            "Steady-state overhead",
            "Plugin CPU per wall second with every VM's TaskStats streaming at 1 s.",
            async s =>
            {
                if (fleet is null)
                {
                    s.SkippedBecause = "needs the running VMs of item 6.";
                    return;
                }
                await SteadyStateItem.RunAsync(context, s, fleet);
            }
        );
        if (fleet is not null)
        {
            await fleet.DisposeAsync();
        }
        await Item(
            8,
            "Micro: config decode and command-line build",
            "Per call, in-process (BenchmarkDotNet).",
            s =>
            {
                if (!options.Micro)
                {
                    s.SkippedBecause = "--no-micro.";
                    return Task.CompletedTask;
                }
                MicroItem.Run(context, s, log);
                return Task.CompletedTask;
            }
        );

        await Item(
            9,
            "Guest agent",
            "ExecTask round trips through qemu-ga, StartTask until the agent answers, plugin CPU with idle agents.",
            s => GuestAgentItem.RunAsync(context, s)
        );
        await Item(
            10,
            "Plugin restart: recovery of running VMs",
            "Plugin SIGKILLed with VMs running; a new instance until it serves, every RecoverTask returned, every VM answered QMP.",
            s => RecoveryItem.RunAsync(context, s)
        );
        await Item(
            11,
            "Contract edges",
            "Launch → first PluginInfo answered (with its phases) and idle RSS; Shutdown → exit with VMs running; restart → first fingerprint with and without the stored KVM verdict.",
            s => ContractItem.RunAsync(context, s)
        );
        await Item(
            12,
            "Guest agent client, no guest",
            "Exec round trips through the host's own qemu-ga on a unix socket against spawning the program directly.",
            s => HostAgentExecItem.RunAsync(context, s)
        );
        await Item(
            13,
            "Warm start from a memory snapshot",
            "A clone's StartTask → HTTP 200 against our cold boot and the built-in driver's; template build cost; QEMU PSS of clones vs cold VMs; restore time by guest RAM.",
            s => WarmStartItem.RunAsync(context, s)
        );

        report.Duration = total.Elapsed;
        var markdown = MarkdownWriter.Render(report);
        var path = Path.Combine(options.OutDir, options.Quick ? "results-quick.md" : "results.md");
        await File.WriteAllTextAsync(path, markdown, cancellationToken);
        await File.WriteAllTextAsync(
            Path.ChangeExtension(path, ".json"),
            JsonSerializer.Serialize(ToJson(report), s_json),
            cancellationToken
        );
        return new Outcome(report, failures, path);
    }

    private static readonly JsonSerializerOptions s_json = new() { WriteIndented = true };

    private static object ToJson(BenchReport report) =>
        new
        {
            report.Machine,
            report.Quick,
            DurationSeconds = report.Duration.TotalSeconds,
            Sections = report.Sections.Select(s => new
            {
                s.Number,
                s.Title,
                s.SkippedBecause,
                s.Notes,
                Rows = s.Rows.Select(r => new
                {
                    r.Metric,
                    r.BaselineName,
                    Unit = r.Ours.Unit,
                    Ours = r.Ours.Values,
                    OursMedian = r.Ours.Median,
                    Baseline = r.Baseline.Values,
                    BaselineMedian = r.Baseline.Median,
                    r.Ratio,
                }),
            }),
        };

    /// <summary>What a job with <c>accelerator = "auto"</c> gets on this machine, as the plugin itself decides it.</summary>
    private static async Task<string> AcceleratorAsync(BenchContext context)
    {
        var (session, stateDir) = await context.StartSessionAsync();
        await using var _ = session;
        using var __ = stateDir;
        using var fingerprint = session.Driver.Fingerprint(
            new NomadQemu.Protocol.Drivers.FingerprintRequest(),
            cancellationToken: context.Cancellation
        );
        await fingerprint.ResponseStream.MoveNext(context.Cancellation);
        var attributes = fingerprint.ResponseStream.Current.Attributes;
        var kvm = attributes.TryGetValue("driver.qemu.kvm", out var k) ? (k.BoolVal ? "true" : "false") : "absent";
        var accelerators = attributes.TryGetValue("driver.qemu.accelerators", out var a) ? a.StringVal : "absent";
        return $"TCG (plugin fingerprint: driver.qemu.kvm = {kvm}, driver.qemu.accelerators = {accelerators}); /dev/kvm is {(File.Exists("/dev/kvm") ? "present" : "absent")}";
    }
}
