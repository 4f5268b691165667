namespace NomadQemu.Qmp;

// Typed helpers for the commands a VM driver uses. Each is a thin ExecuteAsync plus result decoding.
public sealed partial class QmpClient
{
    /// <summary><c>query-status</c>: the VM's run state.</summary>
    /// <exception cref="QmpProtocolException">The reply lacks <c>status</c> or <c>running</c>.</exception>
    public async Task<QmpVmStatus> QueryStatusAsync(CancellationToken cancellationToken = default)
    {
        var result = await ExecuteAsync("query-status", null, cancellationToken).ConfigureAwait(false);
        const string where = "query-status reply";
        return new QmpVmStatus(
            QmpWire.RequireString(result, "status", where),
            QmpWire.RequireBoolean(result, "running", where)
        );
    }

    /// <summary><c>query-version</c>: the QEMU version.</summary>
    /// <exception cref="QmpProtocolException">The reply is not a version object.</exception>
    public async Task<QmpVersion> QueryVersionAsync(CancellationToken cancellationToken = default)
    {
        var result = await ExecuteAsync("query-version", null, cancellationToken).ConfigureAwait(false);
        return QmpWire.DecodeVersion(result, "query-version reply");
    }

    /// <summary>
    /// <c>system_powerdown</c>: presses the virtual power button (ACPI). QEMU emits POWERDOWN at once; whether
    /// the VM then shuts down is up to the guest OS, so wait for SHUTDOWN (or the process exit) with a deadline.
    /// </summary>
    public Task SystemPowerdownAsync(CancellationToken cancellationToken = default) =>
        ExecuteAsync("system_powerdown", null, cancellationToken);

    /// <summary><c>system_reset</c>: resets the VM like the reset button. QEMU emits RESET.</summary>
    public Task SystemResetAsync(CancellationToken cancellationToken = default) =>
        ExecuteAsync("system_reset", null, cancellationToken);

    /// <summary><c>stop</c>: pauses the VM's CPUs. QEMU emits STOP.</summary>
    public Task StopAsync(CancellationToken cancellationToken = default) =>
        ExecuteAsync("stop", null, cancellationToken);

    /// <summary><c>cont</c>: resumes the VM's CPUs. QEMU emits RESUME.</summary>
    public Task ContAsync(CancellationToken cancellationToken = default) =>
        ExecuteAsync("cont", null, cancellationToken);

    /// <summary>
    /// <c>quit</c>: QEMU exits at once, without asking the guest (SHUTDOWN with reason "host-qmp-quit" comes first).
    /// Returns when QEMU acknowledged, or when the connection closed first (QEMU may exit before its reply is
    /// written). <see cref="Completion"/> fires when the socket closes.
    /// </summary>
    public async Task QuitAsync(CancellationToken cancellationToken = default)
    {
        try
        {
            await ExecuteAsync("quit", null, cancellationToken).ConfigureAwait(false);
        }
        catch (QmpConnectionClosedException ex)
            when (Volatile.Read(ref _disposed) == 0 && ex.InnerException is not QmpProtocolException)
        {
            // The peer went away: that is what quit asked for. (After a protocol error QEMU may still be
            // running, so that case is reported.)
        }
    }
}
