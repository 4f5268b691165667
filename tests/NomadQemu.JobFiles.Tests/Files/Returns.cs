namespace NomadQemu.JobFiles.Tests.Files;

/// <summary>
/// Runs a call that must not block on its own thread and fails the test if it has not returned in time: a
/// regression that waits on a FIFO then fails here instead of hanging the whole run.
/// </summary>
internal static class Returns
{
    private static readonly TimeSpan s_limit = TimeSpan.FromSeconds(20);

    public static async Task<TException> ThrowingAsync<TException>(Action call)
        where TException : Exception
    {
        var work = Task.Run(() => Record.Exception(call));
        var finished = await Task.WhenAny(work, Task.Delay(s_limit, TestContext.Current.CancellationToken));
        Assert.True(finished == work, $"the call did not return within {s_limit.TotalSeconds} s (blocked on a file?)");
        return Assert.IsType<TException>(await work);
    }
}
