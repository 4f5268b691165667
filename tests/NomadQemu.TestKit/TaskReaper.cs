using Grpc.Core;
using Grpc.Core.Interceptors;
using NomadQemu.Protocol.Drivers;

namespace NomadQemu.TestKit;

/// <summary>
/// Remembers every task a plugin was asked to start or recover, and forgets it once DestroyTask succeeds, by
/// watching the calls on the plugin's channel. <see cref="ReapAsync"/> stops and force-destroys what is left, so
/// a test or bench item that fails halfway does not leave VMs running under their supervisors: they would keep
/// eating the shared cores and spoil every measurement and boot after them. A task is recorded before its
/// StartTask is answered, because a call that fails or is cancelled may still have started QEMU.
/// </summary>
public sealed class TaskReaper : Interceptor
{
    private readonly Lock _lock = new();
    private readonly HashSet<string> _live = new(StringComparer.Ordinal);
    private bool _standingDown;

    /// <summary>Task ids started or recovered and not yet destroyed.</summary>
    public IReadOnlyCollection<string> Outstanding
    {
        get
        {
            lock (_lock)
            {
                return [.. _live];
            }
        }
    }

    /// <summary>
    /// True once the plugin was ended on purpose (SIGKILL, go-plugin Shutdown): its VMs are then meant to outlive
    /// it, for a new instance to recover, so nothing is reaped through this one.
    /// </summary>
    public bool StandingDown
    {
        get
        {
            lock (_lock)
            {
                return _standingDown;
            }
        }
    }

    public void StandDown()
    {
        lock (_lock)
        {
            _standingDown = true;
        }
    }

    /// <summary>
    /// StopTask (no grace) and a forced DestroyTask for every outstanding task, within <paramref name="budget"/>,
    /// whatever happened before: one task's failure does not keep the others alive. Nothing if standing down.
    /// </summary>
    /// <returns>The ids whose DestroyTask succeeded.</returns>
    public async Task<IReadOnlyList<string>> ReapAsync(Driver.DriverClient driver, TimeSpan budget)
    {
        if (StandingDown)
        {
            return [];
        }
        using var deadline = new CancellationTokenSource(budget);
        var reaped = new List<string>();
        foreach (var id in Outstanding)
        {
            if (deadline.IsCancellationRequested)
            {
                break;
            }
            try
            {
                await driver.StopTaskAsync(
                    new StopTaskRequest { TaskId = id, Timeout = VmTask.Seconds(0) },
                    cancellationToken: deadline.Token
                );
            }
            catch (RpcException)
            {
                // Already stopped, never started, or unknown: the forced destroy below settles it either way.
            }
            try
            {
                await driver.DestroyTaskAsync(
                    new DestroyTaskRequest { TaskId = id, Force = true },
                    cancellationToken: deadline.Token
                );
                reaped.Add(id);
            }
            catch (RpcException e) when (e.StatusCode == StatusCode.NotFound)
            {
                Forget(id);
            }
            catch (RpcException) { }
        }
        return reaped;
    }

    public override AsyncUnaryCall<TResponse> AsyncUnaryCall<TRequest, TResponse>(
        TRequest request,
        ClientInterceptorContext<TRequest, TResponse> context,
        AsyncUnaryCallContinuation<TRequest, TResponse> continuation
    )
    {
        Note(request, context.Method);
        var call = continuation(request, context);
        if (request is not DestroyTaskRequest destroy)
        {
            return call;
        }
        return new AsyncUnaryCall<TResponse>(
            ForgetOnSuccessAsync(call.ResponseAsync, destroy.TaskId),
            call.ResponseHeadersAsync,
            call.GetStatus,
            call.GetTrailers,
            call.Dispose
        );
    }

    public override TResponse BlockingUnaryCall<TRequest, TResponse>(
        TRequest request,
        ClientInterceptorContext<TRequest, TResponse> context,
        BlockingUnaryCallContinuation<TRequest, TResponse> continuation
    )
    {
        Note(request, context.Method);
        var response = continuation(request, context);
        if (request is DestroyTaskRequest destroy)
        {
            Forget(destroy.TaskId);
        }
        return response;
    }

    private void Note(object? request, IMethod method)
    {
        switch (request)
        {
            case StartTaskRequest { Task.Id: { Length: > 0 } id }:
                Record(id);
                break;
            case RecoverTaskRequest { Handle.Config.Id: { Length: > 0 } id }:
                Record(id);
                break;
            default:
                if (method is { ServiceName: "plugin.GRPCController", Name: "Shutdown" })
                {
                    StandDown();
                }
                break;
        }
    }

    private async Task<TResponse> ForgetOnSuccessAsync<TResponse>(Task<TResponse> response, string taskId)
    {
        var result = await response;
        Forget(taskId);
        return result;
    }

    private void Record(string id)
    {
        lock (_lock)
        {
            _live.Add(id);
        }
    }

    private void Forget(string id)
    {
        lock (_lock)
        {
            _live.Remove(id);
        }
    }
}
