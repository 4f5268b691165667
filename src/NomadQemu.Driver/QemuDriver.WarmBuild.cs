using System.Diagnostics;
using System.Globalization;
using System.Net.Sockets;
using System.Text.Json;
using Microsoft.Win32.SafeHandles;
using NomadQemu.Driver.WarmStart;
using NomadQemu.Qmp.GuestAgent;

namespace NomadQemu.Driver;

/// <summary>
/// Warm starts, build side: the first start of a key boots cold into a shared RAM memfd; once the guest is ready
/// the VM is paused, its device state saved (x-ignore-shared: the stream holds no RAM), the RAM and the flushed
/// overlay copied next to it, and the VM continues as the task. A failed build costs the task nothing but the
/// pause: the VM continues either way.
/// </summary>
public sealed partial class QemuDriver
{
    private static readonly TimeSpan s_migrationBound = TimeSpan.FromSeconds(60);

    /// <summary>Leaves shared RAM (the template's memfd) out of the stream: it holds device state only.</summary>
    private const string IgnoreShared = "{\"capabilities\":[{\"capability\":\"x-ignore-shared\",\"state\":true}]}";

    /// <returns>The task event text: what was built, or why not.</returns>
    private async Task<string> BuildTemplateAsync(
        LaunchPlan plan,
        WarmPlan warm,
        DateTimeOffset qemuStarted,
        CancellationToken cancellationToken
    )
    {
        var store = Templates;
        string? building = null;
        try
        {
            var readyAfter = await WaitReadyAsync(plan, warm, qemuStarted, cancellationToken);
            var watch = Stopwatch.StartNew();
            building = store.NewBuildDirectory();
            var info = await SaveAsync(plan, warm, building, cancellationToken);
            info = info with { BuildMs = watch.ElapsedMilliseconds };
            TemplateStore.WriteInfo(building, info);
            store.Commit(building, warm.Key);
            building = null;
            var evicted = EvictTemplates(store, keep: warm.Key);
            return string.Create(
                CultureInfo.InvariantCulture,
                $"Template {warm.ShortKey} built: ready after {readyAfter.TotalSeconds:0.0} s, saved in {info.BuildMs} ms (RAM {info.StoredBytes / MiB} MiB stored of {info.RamBytes / MiB} MiB, device state {info.StateBytes / 1024} KiB){evicted}"
            );
        }
        catch (Exception e)
            when (e is not DriverException
                && (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
            )
        {
            return $"Template {warm.ShortKey} not built: {e.Message}";
        }
        finally
        {
            if (building is not null)
            {
                try
                {
                    Directory.Delete(building, recursive: true);
                }
                catch (IOException) { }
            }
        }
    }

    /// <summary>Pause, save device state into the build dir, copy RAM and disk, continue; the VM runs again whatever happened.</summary>
    private static async Task<TemplateInfo> SaveAsync(
        LaunchPlan plan,
        WarmPlan warm,
        string building,
        CancellationToken cancellationToken
    )
    {
        using var bounded = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        bounded.CancelAfter(s_migrationBound);
        using var qmp = await MigrationChannel.OpenAsync(plan.QmpSocket, bounded.Token);
        var statePath = Path.Combine(building, TemplateStore.StateFile);
        try
        {
            await qmp.ExecuteAsync("stop", null, bounded.Token);
            await qmp.ExecuteAsync("migrate-set-capabilities", IgnoreShared, bounded.Token);
            using (var state = CreatePrivateFile(statePath))
            {
                await qmp.SendFdAsync("warm-state", (int)state.DangerousGetHandle(), bounded.Token);
            }
            await qmp.ExecuteAsync("migrate", "{\"uri\":\"fd:warm-state\"}", bounded.Token);
            await WaitMigrationAsync(qmp, bounded.Token);

            var ramPath = Path.Combine(building, TemplateStore.RamFile);
            var ramBytes = warm.MemoryMb * MiB;
            (string Sha256, long Written) ram;
            using (var ramFile = CreatePrivateFile(ramPath))
            {
                RandomAccess.SetLength(ramFile, ramBytes);
                ram = SparseCopy.Copy(warm.Ram!, ramFile, ramBytes);
            }
            // The overlay is consistent now: QEMU flushed and let go of its images when the migration completed.
            var diskPath = Path.Combine(building, TemplateStore.DiskFile);
            (string Sha256, long Written) disk;
            long diskBytes;
            using (var overlay = File.OpenHandle(plan.Overlay!.Path, FileMode.Open, FileAccess.Read))
            using (var diskFile = CreatePrivateFile(diskPath))
            {
                diskBytes = RandomAccess.GetLength(overlay);
                RandomAccess.SetLength(diskFile, diskBytes);
                disk = SparseCopy.Copy(overlay, diskFile, diskBytes);
            }
            string stateSha;
            long stateBytes;
            using (var state = File.OpenHandle(statePath, FileMode.Open, FileAccess.Read))
            {
                stateBytes = RandomAccess.GetLength(state);
                stateSha = SparseCopy.Sha256(state);
            }
            var now = DateTimeOffset.UtcNow;
            return new TemplateInfo
            {
                Key = warm.Key,
                MemoryMb = warm.MemoryMb,
                RamBytes = ramBytes,
                RamSha256 = ram.Sha256,
                StateBytes = stateBytes,
                StateSha256 = stateSha,
                DiskBytes = diskBytes,
                DiskSha256 = disk.Sha256,
                Created = now,
                LastUsed = now,
                BuildMs = 0,
                Inputs = warm.Inputs,
                StoredBytes = ram.Written + disk.Written + stateBytes,
            };
        }
        finally
        {
            // The template VM is the task: it continues whether or not the template was saved.
            await ResumeAsync(qmp, warm);
        }
    }

    /// <summary>
    /// QEMU reports the migration completed a moment before it leaves "finish-migrate", and refuses cont until
    /// then: retry until the VM runs (bounded). Since cont also reactivates the images the save let go of, a
    /// refusal can last (it did: a stale image lock, see <c>DiskLayer.FileLocking</c>).
    /// </summary>
    /// <exception cref="DriverException">The VM still does not run after 20 s.</exception>
    private static async Task ResumeAsync(MigrationChannel qmp, WarmPlan warm)
    {
        using var bound = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        string? refused = null;
        string? status = null;
        try
        {
            while (true)
            {
                try
                {
                    await qmp.ExecuteAsync("cont", null, bound.Token);
                }
                catch (QemuRefusedException e)
                {
                    refused = e.Message;
                }
                var reply = await qmp.ExecuteAsync("query-status", null, bound.Token);
                status = reply.TryGetProperty("status", out var s) ? s.GetString() : null;
                if (status == "running")
                {
                    return;
                }
                await Task.Delay(20, bound.Token);
            }
        }
        catch (OperationCanceledException) when (bound.IsCancellationRequested)
        {
            // Falls through: a template VM that does not run again is a failed task, never a silent success.
        }
        // Not an IOException: a paused VM is no task, so the start fails (and the VM is removed) instead of
        // reporting "not built" over a guest that never runs again.
        throw new DriverException(
            DriverErrorKind.Recoverable,
            $"the template VM did not resume after saving template {warm.ShortKey} (state \"{status}\"): {refused ?? "cont was accepted"}"
        );
    }

    private static async Task WaitMigrationAsync(MigrationChannel qmp, CancellationToken cancellationToken)
    {
        while (true)
        {
            var info = await qmp.ExecuteAsync("query-migrate", null, cancellationToken);
            var status =
                info.ValueKind == JsonValueKind.Object && info.TryGetProperty("status", out var s)
                    ? s.GetString()
                    : null;
            switch (status)
            {
                case "completed":
                    return;
                case "failed" or "cancelled":
                    var why = info.TryGetProperty("error-desc", out var d) ? d.GetString() : status;
                    throw new IOException($"saving the device state failed: {why}");
            }
            await Task.Delay(10, cancellationToken);
        }
    }

    /// <summary>Waits for the <c>ready</c> condition, bounded by <c>warm_start.timeout</c> from QEMU's start.</summary>
    private static async Task<TimeSpan> WaitReadyAsync(
        LaunchPlan plan,
        WarmPlan warm,
        DateTimeOffset qemuStarted,
        CancellationToken cancellationToken
    )
    {
        var deadline = qemuStarted + warm.Config.Timeout;
        var ready = warm.Config.Ready;
        if (ready.Delay is { } delay)
        {
            var wait = qemuStarted + delay - DateTimeOffset.UtcNow;
            if (wait > TimeSpan.Zero)
            {
                await Task.Delay(wait, cancellationToken);
            }
            return DateTimeOffset.UtcNow - qemuStarted;
        }
        while (DateTimeOffset.UtcNow < deadline)
        {
            if (
                ready.GuestAgent
                    ? await AgentAnswersAsync(plan, cancellationToken)
                    : await PortAnswersAsync(plan, ready.GuestPort!.Value, cancellationToken)
            )
            {
                return DateTimeOffset.UtcNow - qemuStarted;
            }
            await Task.Delay(200, cancellationToken);
        }
        throw new TimeoutException(
            $"the guest was not ready ({ready.Describe()}) within warm_start.timeout {warm.Config.Timeout.TotalSeconds:0} s"
        );
    }

    private static async Task<bool> AgentAnswersAsync(LaunchPlan plan, CancellationToken cancellationToken)
    {
        using var attempt = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        attempt.CancelAfter(TimeSpan.FromSeconds(2));
        await using var agent = new GuestAgentClient(plan.GuestAgentSocket!);
        try
        {
            await agent.PingAsync(attempt.Token);
            return true;
        }
        catch (Exception e)
            when (e is GuestAgentException or IOException or SocketException or OperationCanceledException)
        {
            cancellationToken.ThrowIfCancellationRequested();
            return false;
        }
    }

    /// <summary>
    /// User networking accepts on the host port whether or not the guest listens, then closes at once when the
    /// guest refuses: a connection that stays open (or gets data) is a guest that listens.
    /// </summary>
    private static async Task<bool> PortAnswersAsync(
        LaunchPlan plan,
        int guestPort,
        CancellationToken cancellationToken
    )
    {
        var forward = plan.Forwards.First(f => f.GuestPort == guestPort);
        var host = string.IsNullOrEmpty(forward.HostIp) ? "127.0.0.1" : forward.HostIp;
        using var socket = new Socket(SocketType.Stream, ProtocolType.Tcp);
        using var attempt = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        attempt.CancelAfter(TimeSpan.FromMilliseconds(700));
        try
        {
            await socket.ConnectAsync(host, forward.HostPort, attempt.Token);
            var buffer = new byte[1];
            var read = await socket.ReceiveAsync(buffer, attempt.Token);
            return read > 0;
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return socket.Connected;
        }
        catch (SocketException)
        {
            return false;
        }
    }

    private static SafeFileHandle CreatePrivateFile(string path)
    {
        var fd = Native.LibC.open(
            path,
            Native.LibC.O_RDWR
                | Native.LibC.O_CREAT
                | Native.LibC.O_EXCL
                | Native.LibC.O_CLOEXEC
                | Native.LibC.ONoFollow,
            Convert.ToInt32("600", 8)
        );
        return fd >= 0
            ? new SafeFileHandle(fd, ownsHandle: true)
            : throw new IOException($"cannot create {path}: {Native.LibC.LastError()}");
    }
}
