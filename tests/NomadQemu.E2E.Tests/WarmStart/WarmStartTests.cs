using System.Diagnostics;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using NomadQemu.E2E.Tests.Lifecycle;
using NomadQemu.Protocol.Drivers;
using NomadQemu.TestKit;

namespace NomadQemu.E2E.Tests.WarmStart;

/// <summary>
/// Warm starts with the real plugin, the real test guest and the jail and sandbox on: the first start builds a
/// template and serves, later starts restore it (same boot id, uptime continuing from the template), each clone
/// with its own ports, RAM and disk.
/// </summary>
[Collection(VmCollection.Name)]
public sealed class WarmStartTests : IAsyncLifetime
{
    private readonly ShortTempDir _state = new();
    private PluginSession _session = null!;
    private static CancellationToken Ct => TestContext.Current.CancellationToken;
    private static readonly TimeSpan s_boot = TestEnvironment.Scaled(120);

    public async ValueTask InitializeAsync() =>
        _session = await PluginSession.StartAsync(
            NomadMsgpack.PluginConfig(stateDir: _state.Path),
            cancellationToken: Ct
        );

    public async ValueTask DisposeAsync()
    {
        await _session.DisposeAsync();
        _state.Dispose();
    }

    private string TemplateDir(string key) => Path.Combine(_state.Path, "templates", key);

    private async Task DestroyAsync(VmTask task) =>
        await _session.Driver.DestroyTaskAsync(
            new DestroyTaskRequest { TaskId = task.TaskId, Force = true },
            cancellationToken: Ct
        );

    [Fact(Timeout = 900_000)]
    public async Task FirstStartBuilds_TwoClonesRestoreAtOnce_OwnPortsAndDisks_NewMemoryNewTemplate()
    {
        using var template = new VmTask("tmpl");
        await WarmTask.StartAsync(_session, template, Ct);
        var built = await BuiltAsync(template);
        var key = built.Annotations["template"];
        var templateBootId = await template.WaitForPageAsync("/cgi-bin/bootid", s_boot, Ct);
        var info = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(TemplateDir(key), "template.json")));
        var diskSha = info.RootElement.GetProperty("disk_sha256").GetString();
        Assert.Equal(256L * 1024 * 1024, info.RootElement.GetProperty("ram_bytes").GetInt64());
        // The jail stays on for the template VM: QEMU runs as an unprivileged uid.
        var qemuUid = await QemuUidAsync(template);
        Assert.NotEqual(0, qemuUid);

        using var a = new VmTask("clone-a");
        using var b = new VmTask("clone-b");
        var watches = new[] { Stopwatch.StartNew(), Stopwatch.StartNew() };
        await Task.WhenAll(WarmTask.StartAsync(_session, a, Ct), WarmTask.StartAsync(_session, b, Ct));
        foreach (var (clone, watch) in new[] { a, b }.Zip(watches))
        {
            var restored = await _session.WaitForEventAsync(clone.TaskId, "Started from template", s_boot, Ct);
            Assert.Equal(key, restored.Annotations["template"]);
            Assert.Equal("clone", restored.Annotations["warm_start"]);
            // Its own forwarded host port serves, and the guest did not boot: same boot id, uptime from before.
            Assert.Equal(templateBootId, await clone.WaitForPageAsync("/cgi-bin/bootid", s_boot, Ct));
            var uptime = await WarmTask.UptimeAsync(clone, Ct);
            Assert.True(
                uptime > watch.Elapsed.TotalSeconds + 1,
                $"{clone.TaskName}: uptime {uptime} s, yet it was started {watch.Elapsed.TotalSeconds:0.0} s ago: it booted"
            );
            Assert.NotEqual(0, await QemuUidAsync(clone));
        }
        Assert.NotEqual(a.HostPort, b.HostPort);

        // Each clone writes its disk; neither sees the other's write, nor does the template VM or the frozen disk.
        var partition = await WarmTask.RecordPartitionAsync(_session, a, Ct);
        Assert.Contains("written", await WarmTask.WriteMarkerAsync(_session, a, partition, "warm-clone-a", Ct));
        Assert.Contains("written", await WarmTask.WriteMarkerAsync(_session, b, partition, "warm-clone-b", Ct));
        Assert.Equal("warm-clone-a", await WarmTask.ReadMarkerAsync(_session, a, partition, Ct));
        Assert.Equal("warm-clone-b", await WarmTask.ReadMarkerAsync(_session, b, partition, Ct));
        Assert.DoesNotContain("warm-clone", await WarmTask.ReadMarkerAsync(_session, template, partition, Ct));
        Assert.True(OverlayHolds(a, "warm-clone-a") && !OverlayHolds(a, "warm-clone-b"));
        Assert.True(OverlayHolds(b, "warm-clone-b") && !OverlayHolds(b, "warm-clone-a"));
        await using (var frozen = File.OpenRead(Path.Combine(TemplateDir(key), "disk.qcow2")))
        {
            Assert.Equal(diskSha, Convert.ToHexStringLower(await SHA256.HashDataAsync(frozen, Ct)));
        }

        // A different memory size is another template: built, not restored.
        using var bigger = new VmTask("bigger");
        await WarmTask.StartAsync(_session, bigger, Ct, memoryMb: 320);
        var other = await BuiltAsync(bigger);
        Assert.NotEqual(key, other.Annotations["template"]);
        Assert.NotEqual(templateBootId, await bigger.WaitForPageAsync("/cgi-bin/bootid", s_boot, Ct));

        // A changed image is another template too: the same guest rewritten with another cluster size has
        // other bytes (the key digests the image chain's content).
        using var changed = new VmTask("changed");
        var rewritten = changed.ImagePath + ".rewritten";
        var convert = await WarmTask.RunAsync(
            "qemu-img",
            ["convert", "-O", "qcow2", "-o", "cluster_size=128k", changed.ImagePath, rewritten],
            Ct
        );
        Assert.True(convert.ExitCode == 0, convert.Stderr);
        File.Move(rewritten, changed.ImagePath, overwrite: true);
        await WarmTask.StartAsync(_session, changed, Ct);
        var third = await BuiltAsync(changed);
        Assert.NotEqual(key, third.Annotations["template"]);
        Assert.NotEqual(other.Annotations["template"], third.Annotations["template"]);

        foreach (var task in new[] { template, a, b, bigger, changed })
        {
            await DestroyAsync(task);
        }
    }

    [Fact(Timeout = 900_000)]
    public async Task TwoFirstStartsAtOnce_OneBuilds_TheOtherBootsColdAndSaysWhy_AnotherJobNeverShares()
    {
        using var a = new VmTask("first-a");
        using var b = new VmTask("first-b");
        await Task.WhenAll(WarmTask.StartAsync(_session, a, Ct), WarmTask.StartAsync(_session, b, Ct));

        var notes = await Task.WhenAll(
            _session.WaitForEventAsync(a.TaskId, "emplate ", s_boot, Ct),
            _session.WaitForEventAsync(b.TaskId, "emplate ", s_boot, Ct)
        );
        var modes = notes.Select(n => n.Annotations["warm_start"]).Order(StringComparer.Ordinal).ToList();
        Assert.Equal(["build", "cold"], modes);
        var cold = notes.Single(n => n.Annotations["warm_start"] == "cold");
        Assert.Contains("is being built by another start; booting cold", cold.Message);
        Assert.Equal(notes[0].Annotations["template"], notes[1].Annotations["template"]);
        // Both serve, each booted on its own.
        Assert.NotEqual(
            await a.WaitForPageAsync("/cgi-bin/bootid", s_boot, Ct),
            await b.WaitForPageAsync("/cgi-bin/bootid", s_boot, Ct)
        );
        Assert.Single(Directory.GetDirectories(Path.Combine(_state.Path, "templates")));

        // Another job with the same image and config never resumes this job's guest: it builds its own.
        using var stranger = new VmTask("stranger");
        await WarmTask.StartAsync(_session, stranger, Ct, jobId: "another-job");
        var own = await _session.WaitForEventAsync(stranger.TaskId, "emplate ", s_boot, Ct);
        Assert.Equal("build", own.Annotations["warm_start"]);
        Assert.NotEqual(notes[0].Annotations["template"], own.Annotations["template"]);
        await DestroyAsync(a);
        await DestroyAsync(b);
        await DestroyAsync(stranger);
    }

    [Fact(Timeout = 900_000)]
    public async Task CorruptTemplate_FallsBackToColdBoot_WithAnEvent()
    {
        using var first = new VmTask("first");
        await WarmTask.StartAsync(_session, first, Ct);
        var built = await BuiltAsync(first);
        var key = built.Annotations["template"];
        var firstBootId = await first.WaitForPageAsync("/cgi-bin/bootid", s_boot, Ct);
        await DestroyAsync(first);

        // Truncated RAM: refused before QEMU starts, the task boots cold and builds the template again.
        File.WriteAllBytes(Path.Combine(TemplateDir(key), "ram"), [1, 2, 3]);
        using var second = new VmTask("second");
        await WarmTask.StartAsync(_session, second, Ct);
        var unusable = await _session.WaitForEventAsync(second.TaskId, "unusable", s_boot, Ct);
        Assert.Contains(key[..12], unusable.Message);
        var secondBootId = await second.WaitForPageAsync("/cgi-bin/bootid", s_boot, Ct);
        Assert.NotEqual(firstBootId, secondBootId);
        await _session.WaitForEventAsync(second.TaskId, " built", s_boot, Ct);
        await DestroyAsync(second);

        // A state QEMU refuses (its digest made to match, so only QEMU can tell): the clone dies, the task boots cold.
        var statePath = Path.Combine(TemplateDir(key), "state");
        var garbage = Encoding.ASCII.GetBytes(new string('x', 4096));
        File.WriteAllBytes(statePath, garbage);
        var infoPath = Path.Combine(TemplateDir(key), "template.json");
        var json = File.ReadAllText(infoPath);
        var info = JsonDocument.Parse(json).RootElement;
        json = json.Replace(
                info.GetProperty("state_sha256").GetString()!,
                Convert.ToHexStringLower(SHA256.HashData(garbage))
            )
            .Replace($"\"state_bytes\": {info.GetProperty("state_bytes").GetInt64()}", "\"state_bytes\": 4096");
        File.WriteAllText(infoPath, json);
        using var third = new VmTask("third");
        await WarmTask.StartAsync(_session, third, Ct);
        var failed = await _session.WaitForEventAsync(third.TaskId, "failed, booting cold", s_boot, Ct);
        Assert.Equal("fallback", failed.Annotations["warm_start"]);
        var thirdBootId = await third.WaitForPageAsync("/cgi-bin/bootid", s_boot, Ct);
        Assert.NotEqual(secondBootId, thirdBootId);
        Assert.NotEqual(firstBootId, thirdBootId);
        await DestroyAsync(third);
    }

    [Fact(Timeout = 900_000)]
    public async Task Clone_RecoveredAfterPluginSigkill_StaysJailed_StopsGracefully_CliDropsTheTemplate()
    {
        using var template = new VmTask("tmpl");
        var templateStarted = await WarmTask.StartAsync(_session, template, Ct);
        var built = await BuiltAsync(template);
        var bootId = await template.WaitForPageAsync("/cgi-bin/bootid", s_boot, Ct);

        using var clone = new VmTask("clone");
        var started = await WarmTask.StartAsync(_session, clone, Ct);
        await _session.WaitForEventAsync(clone.TaskId, "Started from template", s_boot, Ct);
        Assert.Equal(bootId, await clone.WaitForPageAsync("/cgi-bin/bootid", s_boot, Ct));
        var qemuPid = await QemuPidAsync(clone);
        var templateQemuPid = await QemuPidAsync(template);

        _session.Plugin.Kill(); // SIGKILL: the clone lives on under its supervisor
        await _session.Plugin.WaitForExitAsync(TimeSpan.FromSeconds(10));
        await _session.DisposeAsync();
        _session = await PluginSession.StartAsync(
            NomadMsgpack.PluginConfig(stateDir: _state.Path),
            cancellationToken: Ct
        );
        // Nomad's client sends the stored handle with an empty driver config and no task_id. The template VM is
        // recovered too: the new plugin must know it to destroy it (DestroyTask of an unknown id does nothing).
        foreach (var response in new[] { started, templateStarted })
        {
            var handle = response.Handle.Clone();
            handle.Config.MsgpackDriverConfig = Google.Protobuf.ByteString.Empty;
            await _session.Driver.RecoverTaskAsync(new RecoverTaskRequest { Handle = handle }, cancellationToken: Ct);
        }

        // The same QEMU, still serving, still jailed (unprivileged uid) and under seccomp.
        Assert.Equal(qemuPid, await QemuPidAsync(clone));
        Assert.Equal(bootId, await clone.WaitForPageAsync("/cgi-bin/bootid", s_boot, Ct));
        var status = (await File.ReadAllLinesAsync($"/proc/{qemuPid}/status", Ct))
            .Select(l => l.Split(':', 2))
            .ToDictionary(p => p[0], p => p[1].Trim());
        Assert.NotEqual("0", status["Uid"].Split('\t')[0]);
        Assert.Equal("2", status["Seccomp"]);

        // The template survived the plugin: the new process restores another clone from the files on disk.
        using var later = new VmTask("later");
        await WarmTask.StartAsync(_session, later, Ct);
        var restored = await _session.WaitForEventAsync(later.TaskId, "Started from template", s_boot, Ct);
        Assert.Equal(built.Annotations["template"], restored.Annotations["template"]);
        Assert.Equal(bootId, await later.WaitForPageAsync("/cgi-bin/bootid", s_boot, Ct));
        await DestroyAsync(later);

        // A graceful stop: the guest powers off (its console says so) and the task exits 0, not killed.
        await _session.Driver.StopTaskAsync(
            new StopTaskRequest
            {
                TaskId = clone.TaskId,
                Timeout = VmTask.Seconds(60),
                Signal = "SIGTERM",
            },
            cancellationToken: Ct
        );
        var result = await _session.Driver.WaitTaskAsync(
            new WaitTaskRequest { TaskId = clone.TaskId },
            cancellationToken: Ct
        );
        Assert.Equal(0, result.Result.Signal);
        Assert.Equal(0, result.Result.ExitCode);
        Assert.DoesNotContain(_session.Events, e => e.TaskId == clone.TaskId && e.Message.Contains("was killed"));
        await DestroyAsync(clone);
        await DestroyAsync(template);
        for (var i = 0; i < 100 && Directory.Exists($"/proc/{templateQemuPid}"); i++)
        {
            await Task.Delay(100, Ct);
        }
        Assert.False(Directory.Exists($"/proc/{templateQemuPid}"), "the template VM outlived its DestroyTask");

        // The operator's CLI sees the template and drops it by the short key events show.
        var key = built.Annotations["template"];
        var list = await WarmTask.CliAsync(Ct, "templates", "list", "--state-dir", _state.Path);
        Assert.True(list.ExitCode == 0, list.Stderr);
        Assert.Contains(key[..12], list.Stdout);
        var drop = await WarmTask.CliAsync(Ct, "templates", "drop", key[..12], "--state-dir", _state.Path);
        Assert.True(drop.ExitCode == 0, drop.Stderr);
        Assert.Equal($"dropped {key}", drop.Stdout.Trim());
        Assert.False(Directory.Exists(TemplateDir(key)));
        Assert.Equal(
            "no templates",
            (await WarmTask.CliAsync(Ct, "templates", "list", "--state-dir", _state.Path)).Stdout.Trim()
        );
        var again = await WarmTask.CliAsync(Ct, "templates", "drop", key[..12], "--state-dir", _state.Path);
        Assert.Equal(2, again.ExitCode);
        Assert.Contains($"no template with key {key[..12]}", again.Stderr);
    }

    /// <summary>The task's template event, which must say the template was built (not "not built: why").</summary>
    private async Task<DriverTaskEvent> BuiltAsync(VmTask task)
    {
        var built = await _session.WaitForEventAsync(task.TaskId, "Template ", s_boot, Ct);
        Assert.False(built.Message.Contains("not built", StringComparison.Ordinal), built.Message);
        return built;
    }

    /// <summary>The overlay holds guest writes verbatim (qcow2 data clusters are not compressed).</summary>
    private static bool OverlayHolds(VmTask task, string marker)
    {
        var bytes = File.ReadAllBytes(Path.Combine(task.TaskDir, ".qemu-disks", "overlay.qcow2"));
        return bytes.AsSpan().IndexOf(Encoding.ASCII.GetBytes(marker)) >= 0;
    }

    private async Task<int> QemuUidAsync(VmTask task)
    {
        var status = await File.ReadAllLinesAsync($"/proc/{await QemuPidAsync(task)}/status", Ct);
        var uid = status.First(l => l.StartsWith("Uid:", StringComparison.Ordinal)).Split('\t')[1];
        return int.Parse(uid, System.Globalization.CultureInfo.InvariantCulture);
    }

    private async Task<string> QemuPidAsync(VmTask task)
    {
        var inspect = await _session.Driver.InspectTaskAsync(
            new InspectTaskRequest { TaskId = task.TaskId },
            cancellationToken: Ct
        );
        return inspect.Driver.Attributes["qemu_pid"];
    }
}
