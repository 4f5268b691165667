namespace NomadQemu.Qmp.GuestAgent;

/// <summary>
/// An async mutual-exclusion gate that admits waiters strictly in arrival order. The guest agent protocol has
/// no command ids, so one command at a time owns the wire; first come, first served keeps a stream of health
/// pings from starving a caller's exec (SemaphoreSlim documents no order).
/// </summary>
internal sealed class FifoGate
{
    private readonly Lock _lock = new();
    private readonly LinkedList<TaskCompletionSource> _waiters = [];
    private bool _held;

    /// <summary>Waits for the gate; dispose the result to pass it on. Cancelling gives up the place in the queue.</summary>
    public async ValueTask<Releaser> EnterAsync(CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        LinkedListNode<TaskCompletionSource> node;
        lock (_lock)
        {
            if (!_held)
            {
                _held = true;
                return new Releaser(this);
            }

            node = _waiters.AddLast(new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));
        }

        using (cancellationToken.Register(() => Abandon(node, cancellationToken)))
        {
            // Either Release handed us the gate (the task completed) or Abandon removed us first (cancelled):
            // both happen under _lock, so the gate is never handed to a waiter that has left.
            await node.Value.Task.ConfigureAwait(false);
        }

        return new Releaser(this);
    }

    private void Abandon(LinkedListNode<TaskCompletionSource> node, CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            if (node.List is null)
            {
                return; // Already handed the gate.
            }

            _waiters.Remove(node);
        }

        node.Value.TrySetCanceled(cancellationToken);
    }

    private void Release()
    {
        TaskCompletionSource next;
        lock (_lock)
        {
            if (_waiters.First is not { } first)
            {
                _held = false;
                return;
            }

            _waiters.RemoveFirst();
            next = first.Value;
        }

        next.TrySetResult(); // The gate stays held: ownership passes straight to the next waiter.
    }

    /// <summary>Leaves the gate when disposed (once).</summary>
    public sealed class Releaser(FifoGate gate) : IDisposable
    {
        private FifoGate? _gate = gate;

        /// <summary>Passes the gate to the next waiter.</summary>
        public void Dispose()
        {
            Interlocked.Exchange(ref _gate, null)?.Release();
        }
    }
}
