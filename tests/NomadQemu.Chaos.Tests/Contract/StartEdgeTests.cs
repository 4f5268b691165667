using Grpc.Core;
using NomadQemu.Chaos.Tests.Support;
using NomadQemu.Protocol.Drivers;

namespace NomadQemu.Chaos.Tests.Contract;

/// <summary>StartTask's edges: the same id started twice at once, and job wishes the command line cannot honour.</summary>
[Collection(ChaosCollection.Name)]
public sealed class StartEdgeTests : IAsyncLifetime
{
    private readonly ChaosNode _node = new();
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync() => await _node.StartPluginAsync();

    public async ValueTask DisposeAsync() => await _node.DisposeAsync();

    [Fact(Timeout = 300_000)]
    public async Task ConcurrentDuplicateStartTask_ExactlyOneVm_TheOtherCallIsAlreadyExists()
    {
        var task = _node.NewTask();
        var request = new StartTaskRequest { Task = task.TaskConfig(ChaosNode.FastConfig(task), 128) };
        var calls = Enumerable
            .Range(0, 2)
            .Select(_ => _node.Driver.StartTaskAsync(request, cancellationToken: Ct).ResponseAsync)
            .ToList();
        var outcomes = new List<(StartTaskResponse? Response, RpcException? Error)>();
        foreach (var call in calls)
        {
            try
            {
                outcomes.Add((await call, null));
            }
            catch (RpcException e)
            {
                outcomes.Add((null, e));
            }
        }

        var describe = string.Join(
            "; ",
            outcomes.Select(o => o.Error is null ? "OK" : $"{o.Error.StatusCode}: {o.Error.Status.Detail}")
        );
        Assert.True(outcomes.Count(o => o.Response is not null) == 1, describe);
        Assert.True(outcomes.Count(o => o.Error?.StatusCode == StatusCode.AlreadyExists) == 1, describe);
        var qemus = HostProcesses.Mentioning(task.RunDir).Where(p => p.CommandLine.Contains("qemu-system")).ToList();
        Assert.True(qemus.Count == 1, $"QEMU processes for the task: {qemus.Count}");
        Assert.Equal(qemus[0].Pid, await _node.QemuPidAsync(task.TaskId));

        await _node.Driver.DestroyTaskAsync(
            new DestroyTaskRequest { TaskId = task.TaskId, Force = true },
            cancellationToken: Ct
        );
        await ChaosNode.AssertNothingLeftAsync(task);
    }

    [Fact(Timeout = 300_000)]
    public async Task DnsServerUserNetworkingCannotOffer_IsReportedAsTaskEvent()
    {
        var task = _node.NewTask();
        var config = task.TaskConfig(ChaosNode.FastConfig(task), 128);
        config.Dns = new DNSConfig { Servers = { "192.0.2.53" } };
        await _node.Driver.StartTaskAsync(new StartTaskRequest { Task = config }, cancellationToken: Ct);

        var warning = await _node.Session.WaitForEventAsync(
            task.TaskId,
            "DNS server 192.0.2.53 is not used",
            TimeSpan.FromSeconds(10),
            Ct
        );
        Assert.Equal("command line", warning.Annotations["warning"]);

        await _node.Driver.DestroyTaskAsync(
            new DestroyTaskRequest { TaskId = task.TaskId, Force = true },
            cancellationToken: Ct
        );
    }
}
