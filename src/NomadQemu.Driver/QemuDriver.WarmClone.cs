using System.Diagnostics;
using System.Globalization;
using System.Net.Sockets;
using System.Text.Json;
using NomadQemu.Driver.WarmStart;
using NomadQemu.Qmp.GuestAgent;

namespace NomadQemu.Driver;

/// <summary>
/// Warm starts, restore side: QEMU waits for the template's device state at start
/// (<c>-incoming defer</c>); here the driver turns x-ignore-shared on, starts the load from the inherited descriptor
/// (<c>migrate-incoming fd:N</c>: no shell, unlike <c>exec:</c>, which the sandbox forbids), waits for the load, resumes the guest (the template was saved paused)
/// and sets the guest clock, which stood still since the template was saved.
/// </summary>
public sealed partial class QemuDriver
{
    /// <returns>The task event text.</returns>
    /// <exception cref="WarmRestoreException">QEMU refused the state or did not finish loading it in time.</exception>
    private async Task<string> FinishCloneAsync(
        LaunchPlan plan,
        WarmPlan warm,
        Stopwatch sinceStart,
        CancellationToken cancellationToken
    )
    {
        using var bounded = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        bounded.CancelAfter(warm.Config.Timeout);
        try
        {
            using var qmp = await MigrationChannel.OpenAsync(plan.QmpSocket, bounded.Token);
            await qmp.ExecuteAsync("migrate-set-capabilities", IgnoreShared, bounded.Token);
            await qmp.ExecuteAsync(
                "migrate-incoming",
                string.Create(CultureInfo.InvariantCulture, $"{{\"uri\":\"fd:{warm.IncomingFd}\"}}"),
                bounded.Token
            );
            while (true)
            {
                var status = await qmp.ExecuteAsync("query-status", null, bounded.Token);
                var state = status.TryGetProperty("status", out var s) ? s.GetString() : null;
                if (state == "running")
                {
                    break;
                }
                if (state is "paused" or "postmigrate")
                {
                    await qmp.ExecuteAsync("cont", null, bounded.Token);
                    break;
                }
                if (state != "inmigrate")
                {
                    throw new IOException($"QEMU is in state \"{state}\" after loading the template");
                }
                await Task.Delay(10, bounded.Token);
            }
        }
        catch (Exception e)
            when (e is IOException or SocketException or JsonException
                || (e is OperationCanceledException && !cancellationToken.IsCancellationRequested)
            )
        {
            var why =
                e is OperationCanceledException
                    ? $"the state did not load within warm_start.timeout {warm.Config.Timeout.TotalSeconds:0} s"
                    : $"QEMU did not restore the saved state ({e.Message}; its own error is in the task's stderr log)";
            throw new WarmRestoreException(warm.Key, why, e);
        }
        var restoredMs = sinceStart.ElapsedMilliseconds;
        var clock = plan.Config.GuestAgent ? await SetCloneClockAsync(plan, cancellationToken) : "";
        Templates.Touch(warm.Key);
        return string.Create(
            CultureInfo.InvariantCulture,
            $"Started from template {warm.ShortKey} in {restoredMs} ms{clock}"
        );
    }

    /// <summary>The guest clock stood still since the template was saved; the agent sets it (best effort, bounded).</summary>
    private static async Task<string> SetCloneClockAsync(LaunchPlan plan, CancellationToken cancellationToken)
    {
        using var bounded = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        bounded.CancelAfter(TimeSpan.FromSeconds(3));
        await using var agent = new GuestAgentClient(plan.GuestAgentSocket!);
        try
        {
            await agent.SetTimeAsync(DateTimeOffset.UtcNow, bounded.Token);
            return "; guest clock set (guest-set-time)";
        }
        catch (Exception e)
            when (e is GuestAgentException or IOException or SocketException or OperationCanceledException)
        {
            cancellationToken.ThrowIfCancellationRequested();
            return "; guest clock not set (the guest agent did not answer within 3 s)";
        }
    }
}
