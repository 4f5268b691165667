using NomadQemu.Qmp.GuestAgent;

namespace NomadQemu.Qmp.Tests.GuestAgent;

public sealed class FifoGateTests
{
    [Fact]
    public async Task EnterAsync_ManyWaiters_AreAdmittedInArrivalOrderOneAtATime()
    {
        using var timeout = TestTimeout.Start();
        var gate = new FifoGate();
        var first = await gate.EnterAsync(timeout.Token);
        var admitted = new List<int>();
        var inside = 0;
        var waiters = Enumerable
            .Range(1, 20)
            .Select(async i =>
            {
                using (await gate.EnterAsync(timeout.Token))
                {
                    Assert.Equal(1, Interlocked.Increment(ref inside));
                    admitted.Add(i);
                    await Task.Yield();
                    Interlocked.Decrement(ref inside);
                }
            })
            .ToArray();

        first.Dispose();
        await Task.WhenAll(waiters);

        Assert.Equal(Enumerable.Range(1, 20), admitted);
    }

    [Fact]
    public async Task EnterAsync_CancelledWhileWaiting_GivesUpItsPlaceAndTheNextWaiterGetsTheGate()
    {
        using var timeout = TestTimeout.Start();
        var gate = new FifoGate();
        using var holder = await gate.EnterAsync(timeout.Token);
        using var cancel = new CancellationTokenSource();
        var cancelled = gate.EnterAsync(cancel.Token).AsTask();
        var next = gate.EnterAsync(timeout.Token).AsTask();

        await cancel.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => cancelled);
        Assert.False(next.IsCompleted);
        holder.Dispose();
        using var nextTurn = await next.WaitAsync(timeout.Token);
        var third = gate.EnterAsync(timeout.Token).AsTask();

        Assert.False(third.IsCompleted, "the gate must still be held by the next waiter");
        nextTurn.Dispose();
        (await third.WaitAsync(timeout.Token)).Dispose();
    }

    [Fact]
    public async Task Releaser_DisposedTwice_ReleasesOnce()
    {
        using var timeout = TestTimeout.Start();
        var gate = new FifoGate();
        var turn = await gate.EnterAsync(timeout.Token);
        var second = gate.EnterAsync(timeout.Token).AsTask();
        var third = gate.EnterAsync(timeout.Token).AsTask();

        turn.Dispose();
        turn.Dispose();
        await second.WaitAsync(timeout.Token);

        Assert.False(third.IsCompleted);
    }
}
