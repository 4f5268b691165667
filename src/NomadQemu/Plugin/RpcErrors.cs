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
    /// <summary>
    /// The most characters of error text sent back. The text travels in the grpc-message trailer (percent-encoded,
    /// so up to 3 bytes per character) and clients cap header size (.NET at 64 KiB): a message that echoes a huge
    /// task id would turn a clean NotFound into a transport failure on the client.
    /// </summary>
    public const int MaxMessageChars = 4096;

    public static string Limit(string message) =>
        message.Length <= MaxMessageChars
            ? message
            : string.Concat(
                message.AsSpan(0, MaxMessageChars),
                $"… ({message.Length - MaxMessageChars} more characters)"
            );

    public static RpcException From(DriverException e) =>
        e.Kind switch
        {
            DriverErrorKind.Recoverable => WithRecoverable(
                Code.FailedPrecondition,
                Limit(e.Message),
                recoverable: true
            ),
            DriverErrorKind.InvalidConfig => new RpcException(
                new Grpc.Core.Status(StatusCode.InvalidArgument, Limit(e.Message))
            ),
            DriverErrorKind.NotFound => new RpcException(new Grpc.Core.Status(StatusCode.NotFound, Limit(e.Message))),
            DriverErrorKind.AlreadyExists => new RpcException(
                new Grpc.Core.Status(StatusCode.AlreadyExists, Limit(e.Message))
            ),
            DriverErrorKind.FailedPrecondition => new RpcException(
                new Grpc.Core.Status(StatusCode.FailedPrecondition, Limit(e.Message))
            ),
            _ => new RpcException(new Grpc.Core.Status(StatusCode.Internal, Limit(e.Message))),
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
        catch (RpcException e) when (e.Status.Detail.Length > MaxMessageChars)
        {
            throw new RpcException(new Grpc.Core.Status(e.StatusCode, Limit(e.Status.Detail)), e.Trailers);
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
            throw new RpcException(
                new Grpc.Core.Status(StatusCode.Internal, Limit($"internal error: {e.GetType().Name}: {e.Message}"))
            );
        }
    }
}
