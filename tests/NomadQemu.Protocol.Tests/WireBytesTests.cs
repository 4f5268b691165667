using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using NomadQemu.Protocol.Base;
using NomadQemu.Protocol.Drivers;
using NomadQemu.Protocol.HclSpec;
using NomadQemu.Protocol.Structs;

namespace NomadQemu.Protocol.Tests;

/// <summary>
/// Byte-level checks written by hand from the protobuf encoding rules
/// (tag = field number &lt;&lt; 3 | wire type), independent of the descriptors.
/// </summary>
public sealed class WireBytesTests
{
    [Fact]
    public void TaskConfig_HandEncodedIdAndAllocDir_ParsesIntoMatchingProperties()
    {
        // field 1 (id) and field 10 (alloc_dir), both length-delimited: tags 0x0a and 0x52.
        byte[] wire =
        [
            0x0a,
            0x03,
            (byte)'a',
            (byte)'/',
            (byte)'b',
            0x52,
            0x04,
            (byte)'/',
            (byte)'t',
            (byte)'m',
            (byte)'p',
        ];

        var config = TaskConfig.Parser.ParseFrom(wire);

        Assert.Equal("a/b", config.Id);
        Assert.Equal("/tmp", config.AllocDir);
    }

    [Fact]
    public void Spec_WithAttr_EncodesAsFieldThree()
    {
        var spec = new Spec { Attr = new Attr { Name = "x" } };

        Assert.Equal([0x1a, 0x03, 0x0a, 0x01, (byte)'x'], spec.ToByteArray());
    }

    [Fact]
    public void MemoryUsage_UsageAndMeasuredFields_UseNumbersSevenAndSix()
    {
        var usage = new MemoryUsage { Usage = 1, MeasuredFields = { MemoryUsage.Types.Fields.Swap } };

        // usage: tag 0x38 (7, varint). measured_fields: packed, tag 0x32 (6, length-delimited).
        Assert.Equal([0x32, 0x01, 0x06, 0x38, 0x01], usage.ToByteArray());
    }

    [Fact]
    public void ClientTopologySlit_Values_ArePacked()
    {
        var slit = new ClientTopologySLIT { Values = { 10, 20 } };

        Assert.Equal([0x12, 0x02, 10, 20], slit.ToByteArray());
    }

    [Fact]
    public void DriverCapabilities_NoMounts_EncodesAsFieldSixValueOne()
    {
        var capabilities = new DriverCapabilities { MountConfigs = DriverCapabilities.Types.MountConfigs.NoMounts };

        Assert.Equal([0x30, 0x01], capabilities.ToByteArray());
    }

    [Fact]
    public void RecoverableError_PackedInAny_UsesTheTypeUrlNomadUnpacks()
    {
        var detail = Any.Pack(new RecoverableError { Recoverable = true });

        Assert.Equal("type.googleapis.com/hashicorp.nomad.plugins.shared.structs.RecoverableError", detail.TypeUrl);
        Assert.Equal([0x08, 0x01], detail.Value.ToByteArray());
    }

    [Fact]
    public void RecoverableError_AsFirstStatusDetail_SurvivesRpcExceptionRoundTrip()
    {
        var status = new Google.Rpc.Status
        {
            Code = (int)StatusCode.FailedPrecondition,
            Message = "qemu-system-x86_64 not found",
            Details = { Any.Pack(new RecoverableError { Recoverable = true }) },
        };

        var exception = status.ToRpcException();
        var carried = exception.GetRpcStatus();

        Assert.Equal(StatusCode.FailedPrecondition, exception.StatusCode);
        Assert.NotNull(carried);
        Assert.True(carried.Details[0].Unpack<RecoverableError>().Recoverable);
    }

    [Fact]
    public void HealthService_FromGrpcHealthCheck_IsTheStandardV1Service()
    {
        // go-plugin's Ping asks grpc.health.v1.Health/Check for service "plugin"; the package supplies it.
        Assert.Equal("grpc.health.v1.Health", Grpc.Health.V1.Health.Descriptor.FullName);
    }
}
