using System.Collections.Concurrent;
using NomadQemu.Driver;

namespace NomadQemu.InProcess.Tests.Support;

/// <summary>Every task event a driver core emits from now on, kept for assertions.</summary>
public sealed class EventLog : IAsyncDisposable
{
    private readonly ConcurrentQueue<DriverEvent> _events = new();
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _pump;

    public EventLog(QemuDriver driver)
    {
        var subscription = driver.EventsAsync(_stop.Token).GetAsyncEnumerator(_stop.Token);
        _pump = Task.Run(async () =>
        {
            try
            {
                while (await subscription.MoveNextAsync())
                {
                    _events.Enqueue(subscription.Current);
                }
            }
            catch (OperationCanceledException) { }
            finally
            {
                await subscription.DisposeAsync();
            }
        });
    }

    public async Task<DriverEvent> WaitForAsync(string taskId, string fragment)
    {
        var deadline = DateTime.UtcNow + Timeouts.Long;
        while (DateTime.UtcNow < deadline)
        {
            var match = _events.FirstOrDefault(e =>
                e.TaskId == taskId && e.Message.Contains(fragment, StringComparison.OrdinalIgnoreCase)
            );
            if (match is not null)
            {
                return match;
            }
            await Task.Delay(10, TestContext.Current.CancellationToken);
        }
        throw new TimeoutException(
            $"no event containing \"{fragment}\" for {taskId}; events: {string.Join(" | ", _events.Select(e => e.Message))}"
        );
    }

    /// <summary>The messages of every event seen so far for <paramref name="taskId"/>.</summary>
    public IReadOnlyList<string> All(string taskId) =>
        [.. _events.Where(e => e.TaskId == taskId).Select(e => e.Message)];

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await _pump;
        _stop.Dispose();
    }
}
