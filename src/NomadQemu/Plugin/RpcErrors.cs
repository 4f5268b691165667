using Google.Protobuf.WellKnownTypes;
using Google.Rpc;
using Grpc.Core;
using NomadQemu.Driver;
using NomadQemu.Protocol.Structs;

namespace NomadQemu.Plugin;

/// <summary>
/// Turns driver failures into gRPC statuses Nomad understands. Nomad's client only looks at the status
/// and at a RecoverableError detail (it must be the first one): with recoverable=true the job's restart
/// policy applies; without it the start failure is final — right for config mistakes.
/// </summary>
internal static class RpcErrors
{
    public static RpcException From(DriverException e) =>
        e.Kind switch
        {
            DriverErrorKind.Recoverable => WithRecoverable(Code.FailedPrecondition, e.Message, recoverable: true),
            DriverErrorKind.InvalidConfig => new RpcException(new Grpc.Core.Status(StatusCode.InvalidArgument, e.Message)),
            DriverErrorKind.NotFound => new RpcException(new Grpc.Core.Status(StatusCode.NotFound, e.Message)),
            DriverErrorKind.FailedPrecondition => new RpcException(new Grpc.Core.Status(StatusCode.FailedPrecondition, e.Message)),
            _ => new RpcException(new Grpc.Core.Status(StatusCode.Internal, e.Message)),
        };

    public static RpcException WithRecoverable(Code code, string message, bool recoverable)
    {
        var status = new Google.Rpc.Status { Code = (int)code, Message = message };
        status.Details.Add(Any.Pack(new RecoverableError { Recoverable = recoverable }));
        return status.ToRpcException();
    }

    /// <summary>Runs an RPC body so that no exception other than an RpcException ever leaves it.</summary>
    public static async Task<T> Guard<T>(Func<Task<T>> body)
    {
        try
        {
            return await body();
        }
        catch (DriverException e)
        {
            throw From(e);
        }
        catch (RpcException)
        {
            throw;
        }
        catch (OperationCanceledException)
        {
            throw new RpcException(new Grpc.Core.Status(StatusCode.Cancelled, "the call was cancelled"));
        }
        catch (Exception e)
        {
            throw new RpcException(new Grpc.Core.Status(StatusCode.Internal, $"internal error: {e.GetType().Name}: {e.Message}"));
        }
    }
}
