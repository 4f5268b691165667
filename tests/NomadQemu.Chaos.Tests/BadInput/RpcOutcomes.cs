using System.Collections.Concurrent;
using Grpc.Core;

namespace NomadQemu.Chaos.Tests.BadInput;

/// <summary>
/// Every answer the sweep got, per RPC and status code, plus the ones that are not a clean refusal: Unknown
/// (an exception escaped the handler), Internal (the driver blamed itself for bad input), a stack trace in
/// the text, or a hang. The first few offenders are kept with the input that caused them.
/// </summary>
public sealed class RpcOutcomes
{
    private readonly ConcurrentDictionary<(string Rpc, StatusCode Code), int> _counts = new();
    private readonly ConcurrentQueue<string> _violations = new();

    public int Total => _counts.Values.Sum();
    public IReadOnlyCollection<string> Violations => _violations;

    /// <param name="cutByCaller">A stream the test itself cancels: Cancelled then means "still streaming", which is fine.</param>
    public async Task CallAsync(string rpc, string input, Func<Task> call, CancellationToken cutByCaller = default)
    {
        try
        {
            await call();
            Count(rpc, StatusCode.OK);
        }
        catch (RpcException e) when (e.StatusCode == StatusCode.Cancelled && cutByCaller.IsCancellationRequested)
        {
            Count(rpc + " (cut)", StatusCode.OK);
        }
        catch (RpcException e)
        {
            Count(rpc, e.StatusCode);
            if (!IsClean(e))
            {
                Violate(rpc, input, $"{e.StatusCode}: {Shorten(e.Status.Detail)}");
            }
        }
    }

    public void Count(string rpc, StatusCode code) => _counts.AddOrUpdate((rpc, code), 1, (_, n) => n + 1);

    public void Violate(string rpc, string input, string what)
    {
        // One example per distinct failure, so a flood of one kind cannot hide another.
        var kind = $"{rpc} {what[..Math.Min(what.Length, 100)]}";
        if (_violationKinds.TryAdd(kind, 0) && _violations.Count < 40)
        {
            _violations.Enqueue($"{rpc} [{input}] → {what}");
        }
    }

    private readonly ConcurrentDictionary<string, byte> _violationKinds = new();

    private static bool IsClean(RpcException e) =>
        e.StatusCode
            is StatusCode.InvalidArgument
                or StatusCode.NotFound
                or StatusCode.FailedPrecondition
                or StatusCode.Unimplemented
                or StatusCode.OutOfRange
                or StatusCode.ResourceExhausted
        && !e.Status.Detail.Contains("   at ", StringComparison.Ordinal)
        && !e.Status.Detail.Contains("Exception was thrown by handler", StringComparison.Ordinal);

    private static string Shorten(string text) => text.Length > 300 ? text[..300] + "…" : text;

    public string Summary() =>
        string.Join(
            "\n",
            _counts
                .OrderBy(kv => kv.Key.Rpc)
                .ThenBy(kv => kv.Key.Code)
                .Select(kv => $"  {kv.Key.Rpc, -16} {kv.Key.Code, -20} {kv.Value}")
        );
}
