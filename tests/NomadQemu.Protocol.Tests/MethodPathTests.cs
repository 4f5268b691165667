using Grpc.Core;

namespace NomadQemu.Protocol.Tests;

/// <summary>
/// The HTTP/2 paths and streaming shapes the generated server code registers. The agent
/// dials these exact strings; a wrong package, service or method name is an Unimplemented.
/// </summary>
public sealed class MethodPathTests
{
    private const string DriverPath = "/hashicorp.nomad.plugins.drivers.proto.Driver/";
    private const string BasePath = "/hashicorp.nomad.plugins.base.proto.BasePlugin/";

    private static readonly Dictionary<string, MethodType> s_registered = RecordAllServices();

    [Theory]
    [InlineData(BasePath + "PluginInfo", MethodType.Unary)]
    [InlineData(BasePath + "ConfigSchema", MethodType.Unary)]
    [InlineData(BasePath + "SetConfig", MethodType.Unary)]
    [InlineData(DriverPath + "Init", MethodType.Unary)]
    [InlineData(DriverPath + "TaskConfigSchema", MethodType.Unary)]
    [InlineData(DriverPath + "Capabilities", MethodType.Unary)]
    [InlineData(DriverPath + "Fingerprint", MethodType.ServerStreaming)]
    [InlineData(DriverPath + "RecoverTask", MethodType.Unary)]
    [InlineData(DriverPath + "StartTask", MethodType.Unary)]
    [InlineData(DriverPath + "WaitTask", MethodType.Unary)]
    [InlineData(DriverPath + "StopTask", MethodType.Unary)]
    [InlineData(DriverPath + "DestroyTask", MethodType.Unary)]
    [InlineData(DriverPath + "InspectTask", MethodType.Unary)]
    [InlineData(DriverPath + "TaskStats", MethodType.ServerStreaming)]
    [InlineData(DriverPath + "TaskEvents", MethodType.ServerStreaming)]
    [InlineData(DriverPath + "Shutdown", MethodType.Unary)]
    [InlineData(DriverPath + "SignalTask", MethodType.Unary)]
    [InlineData(DriverPath + "ExecTask", MethodType.Unary)]
    [InlineData(DriverPath + "ExecTaskStreaming", MethodType.DuplexStreaming)]
    [InlineData(DriverPath + "CreateNetwork", MethodType.Unary)]
    [InlineData(DriverPath + "DestroyNetwork", MethodType.Unary)]
    [InlineData("/plugin.GRPCController/Shutdown", MethodType.Unary)]
    [InlineData("/plugin.GRPCStdio/StreamStdio", MethodType.ServerStreaming)]
    [InlineData("/plugin.GRPCBroker/StartStream", MethodType.DuplexStreaming)]
    public void GeneratedServer_BindService_RegistersUpstreamPathAndShape(string path, MethodType type)
    {
        Assert.True(s_registered.TryGetValue(path, out var registered), $"No method registered at {path}.");
        Assert.Equal(type, registered);
    }

    [Fact]
    public void GeneratedServer_BindService_RegistersNoUnexpectedMethods()
    {
        // 3 base + 18 driver + 3 go-plugin: an extra or renamed RPC shows up here.
        Assert.Equal(24, s_registered.Count);
    }

    [Fact]
    public void GeneratedServer_ShutdownRequests_UseDistinctMessageTypes()
    {
        // go-plugin's Shutdown takes plugin.Empty; the stdio stream takes google.protobuf.Empty.
        Assert.Equal("plugin.Empty", GoPlugin.Empty.Descriptor.FullName);
        Assert.Equal(
            "google.protobuf.Empty",
            GoPlugin.GRPCStdio.Descriptor.FindMethodByName("StreamStdio").InputType.FullName
        );
    }

    private static Dictionary<string, MethodType> RecordAllServices()
    {
        var binder = new RecordingBinder();
        // Handlers are never invoked, so no implementation is needed.
        Base.BasePlugin.BindService(binder, null);
        Drivers.Driver.BindService(binder, null);
        GoPlugin.GRPCController.BindService(binder, null);
        GoPlugin.GRPCStdio.BindService(binder, null);
        GoPlugin.GRPCBroker.BindService(binder, null);
        return binder.Methods;
    }

    private sealed class RecordingBinder : ServiceBinderBase
    {
        public Dictionary<string, MethodType> Methods { get; } = new(StringComparer.Ordinal);

        public override void AddMethod<TRequest, TResponse>(
            Method<TRequest, TResponse> method,
            UnaryServerMethod<TRequest, TResponse>? handler
        ) => Methods.Add(method.FullName, method.Type);

        public override void AddMethod<TRequest, TResponse>(
            Method<TRequest, TResponse> method,
            ClientStreamingServerMethod<TRequest, TResponse>? handler
        ) => Methods.Add(method.FullName, method.Type);

        public override void AddMethod<TRequest, TResponse>(
            Method<TRequest, TResponse> method,
            ServerStreamingServerMethod<TRequest, TResponse>? handler
        ) => Methods.Add(method.FullName, method.Type);

        public override void AddMethod<TRequest, TResponse>(
            Method<TRequest, TResponse> method,
            DuplexStreamingServerMethod<TRequest, TResponse>? handler
        ) => Methods.Add(method.FullName, method.Type);
    }
}
