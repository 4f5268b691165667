using Google.Protobuf.Reflection;

namespace NomadQemu.Protocol.Tests;

/// <summary>
/// Field numbers and wire types as Nomad v1.9.7 and go-plugin send them. Names do not reach the
/// wire, so a typo in a number or type here is exactly what would silently break decoding.
/// </summary>
public sealed class FieldNumberTests
{
    private const string Base = "hashicorp.nomad.plugins.base.proto.";
    private const string Drv = "hashicorp.nomad.plugins.drivers.proto.";
    private const string Hcl = "hashicorp.nomad.plugins.shared.hclspec.";
    private const string Structs = "hashicorp.nomad.plugins.shared.structs.";
    private const string GoPlugin = "plugin.";

    [Theory]
    // base.proto: PluginInfo and SetConfig.
    [InlineData(Base + "PluginInfoResponse", "type", 1, FieldType.Enum, false)]
    [InlineData(Base + "PluginInfoResponse", "plugin_api_versions", 2, FieldType.String, true)]
    [InlineData(Base + "PluginInfoResponse", "plugin_version", 3, FieldType.String, false)]
    [InlineData(Base + "PluginInfoResponse", "name", 4, FieldType.String, false)]
    [InlineData(Base + "ConfigSchemaResponse", "spec", 1, FieldType.Message, false)]
    [InlineData(Base + "SetConfigRequest", "msgpack_config", 1, FieldType.Bytes, false)]
    [InlineData(Base + "SetConfigRequest", "nomad_config", 2, FieldType.Message, false)]
    [InlineData(Base + "SetConfigRequest", "plugin_api_version", 3, FieldType.String, false)]
    [InlineData(Base + "NomadDriverConfig", "ClientMaxPort", 1, FieldType.UInt32, false)]
    [InlineData(Base + "NomadDriverConfig", "ClientMinPort", 2, FieldType.UInt32, false)]
    [InlineData(Base + "NomadDriverConfig", "Topology", 3, FieldType.Message, false)]
    [InlineData(Base + "ClientTopology", "cores", 3, FieldType.Message, true)]
    [InlineData(Base + "ClientTopology", "override_total_compute", 4, FieldType.UInt64, false)]
    [InlineData(Base + "ClientTopology", "override_withold_compute", 5, FieldType.UInt64, false)]
    [InlineData(Base + "ClientTopologySLIT", "values", 2, FieldType.UInt32, true)]
    [InlineData(Base + "ClientTopologyCore", "core_grade", 4, FieldType.Enum, false)]
    [InlineData(Base + "ClientTopologyCore", "base_speed", 6, FieldType.UInt64, false)]
    [InlineData(Base + "ClientTopologyCore", "guess_speed", 8, FieldType.UInt64, false)]
    // driver.proto: TaskConfig, the message StartTask and RecoverTask depend on.
    [InlineData(Drv + "TaskConfig", "id", 1, FieldType.String, false)]
    [InlineData(Drv + "TaskConfig", "msgpack_driver_config", 3, FieldType.Bytes, false)]
    [InlineData(Drv + "TaskConfig", "env", 4, FieldType.Message, true)]
    [InlineData(Drv + "TaskConfig", "resources", 6, FieldType.Message, false)]
    [InlineData(Drv + "TaskConfig", "mounts", 7, FieldType.Message, true)]
    [InlineData(Drv + "TaskConfig", "alloc_dir", 10, FieldType.String, false)]
    [InlineData(Drv + "TaskConfig", "stdout_path", 11, FieldType.String, false)]
    [InlineData(Drv + "TaskConfig", "stderr_path", 12, FieldType.String, false)]
    [InlineData(Drv + "TaskConfig", "alloc_id", 15, FieldType.String, false)]
    [InlineData(Drv + "TaskConfig", "network_isolation_spec", 16, FieldType.Message, false)]
    [InlineData(Drv + "TaskConfig", "dns", 17, FieldType.Message, false)]
    [InlineData(Drv + "TaskConfig", "namespace", 19, FieldType.String, false)]
    [InlineData(Drv + "TaskConfig", "node_id", 21, FieldType.String, false)]
    [InlineData(Drv + "TaskConfig", "parent_job_id", 22, FieldType.String, false)]
    // driver.proto: resources.
    [InlineData(Drv + "AllocatedTaskResources", "networks", 5, FieldType.Message, true)]
    [InlineData(Drv + "AllocatedMemoryResources", "memory_mb", 2, FieldType.Int64, false)]
    [InlineData(Drv + "AllocatedMemoryResources", "memory_max_mb", 3, FieldType.Int64, false)]
    [InlineData(Drv + "LinuxResources", "memory_limit_bytes", 4, FieldType.Int64, false)]
    [InlineData(Drv + "LinuxResources", "PercentTicks", 8, FieldType.Double, false)]
    [InlineData(Drv + "LinuxResources", "cpuset_cgroup", 9, FieldType.String, false)]
    [InlineData(Drv + "PortMapping", "to", 3, FieldType.Int32, false)]
    [InlineData(Drv + "PortMapping", "host_ip", 4, FieldType.String, false)]
    [InlineData(Drv + "Mount", "selinux_label", 5, FieldType.String, false)]
    [InlineData(Drv + "Device", "cgroup_permissions", 3, FieldType.String, false)]
    [InlineData(Drv + "NetworkIsolationSpec", "path", 2, FieldType.String, false)]
    [InlineData(Drv + "NetworkIsolationSpec", "hostsConfig", 4, FieldType.Message, false)]
    // driver.proto: task lifecycle requests and replies.
    [InlineData(Drv + "TaskHandle", "version", 1, FieldType.Int32, false)]
    [InlineData(Drv + "TaskHandle", "state", 3, FieldType.Enum, false)]
    [InlineData(Drv + "TaskHandle", "driver_state", 4, FieldType.Bytes, false)]
    [InlineData(Drv + "RecoverTaskRequest", "handle", 2, FieldType.Message, false)]
    [InlineData(Drv + "StartTaskResponse", "handle", 3, FieldType.Message, false)]
    [InlineData(Drv + "StartTaskResponse", "network_override", 4, FieldType.Message, false)]
    [InlineData(Drv + "WaitTaskResponse", "err", 2, FieldType.String, false)]
    [InlineData(Drv + "StopTaskRequest", "timeout", 2, FieldType.Message, false)]
    [InlineData(Drv + "StopTaskRequest", "signal", 3, FieldType.String, false)]
    [InlineData(Drv + "DestroyTaskRequest", "force", 2, FieldType.Bool, false)]
    [InlineData(Drv + "ExitResult", "oom_killed", 3, FieldType.Bool, false)]
    [InlineData(Drv + "TaskStatus", "completed_at", 5, FieldType.Message, false)]
    [InlineData(Drv + "TaskStatus", "result", 6, FieldType.Message, false)]
    [InlineData(Drv + "NetworkOverride", "port_map", 1, FieldType.Message, true)]
    [InlineData(Drv + "ExecTaskResponse", "result", 3, FieldType.Message, false)]
    [InlineData(Drv + "ExecTaskStreamingRequest", "stdin", 3, FieldType.Message, false)]
    [InlineData(Drv + "ExecTaskStreamingRequest.Setup", "tty", 3, FieldType.Bool, false)]
    [InlineData(Drv + "ExecTaskStreamingRequest.TerminalSize", "width", 2, FieldType.Int32, false)]
    [InlineData(Drv + "ExecTaskStreamingResponse", "exited", 3, FieldType.Bool, false)]
    [InlineData(Drv + "CreateNetworkResponse", "created", 2, FieldType.Bool, false)]
    [InlineData(Drv + "DestroyNetworkRequest", "isolation_spec", 2, FieldType.Message, false)]
    // driver.proto: fingerprint, capabilities, stats, events.
    [InlineData(Drv + "FingerprintResponse", "attributes", 1, FieldType.Message, true)]
    [InlineData(Drv + "FingerprintResponse", "health_description", 3, FieldType.String, false)]
    [InlineData(Drv + "DriverCapabilities", "fs_isolation", 3, FieldType.Enum, false)]
    [InlineData(Drv + "DriverCapabilities", "network_isolation_modes", 4, FieldType.Enum, true)]
    [InlineData(Drv + "DriverCapabilities", "mount_configs", 6, FieldType.Enum, false)]
    [InlineData(Drv + "DriverCapabilities", "remote_tasks", 7, FieldType.Bool, false)]
    [InlineData(Drv + "DriverCapabilities", "disable_log_collection", 8, FieldType.Bool, false)]
    [InlineData(Drv + "DriverCapabilities", "dynamic_workload_users", 9, FieldType.Bool, false)]
    [InlineData(Drv + "TaskStats", "agg_resource_usage", 3, FieldType.Message, false)]
    [InlineData(Drv + "TaskStats", "resource_usage_by_pid", 4, FieldType.Message, true)]
    [InlineData(Drv + "CPUUsage", "throttled_time", 5, FieldType.UInt64, false)]
    [InlineData(Drv + "CPUUsage", "measured_fields", 7, FieldType.Enum, true)]
    [InlineData(Drv + "MemoryUsage", "measured_fields", 6, FieldType.Enum, true)]
    [InlineData(Drv + "MemoryUsage", "usage", 7, FieldType.UInt64, false)]
    [InlineData(Drv + "MemoryUsage", "swap", 8, FieldType.UInt64, false)]
    [InlineData(Drv + "DriverTaskEvent", "timestamp", 4, FieldType.Message, false)]
    [InlineData(Drv + "DriverTaskEvent", "annotations", 6, FieldType.Message, true)]
    // hcl_spec.proto.
    [InlineData(Hcl + "Spec", "Attr", 3, FieldType.Message, false)]
    [InlineData(Hcl + "Spec", "block_value", 4, FieldType.Message, false)]
    [InlineData(Hcl + "Spec", "default", 9, FieldType.Message, false)]
    [InlineData(Hcl + "Spec", "literal", 10, FieldType.Message, false)]
    [InlineData(Hcl + "Attr", "required", 3, FieldType.Bool, false)]
    [InlineData(Hcl + "BlockList", "max_items", 3, FieldType.UInt64, false)]
    [InlineData(Hcl + "BlockList", "nested", 4, FieldType.Message, false)]
    [InlineData(Hcl + "BlockMap", "labels", 2, FieldType.String, true)]
    [InlineData(Hcl + "Default", "default", 2, FieldType.Message, false)]
    [InlineData(Hcl + "Object", "attributes", 1, FieldType.Message, true)]
    // attribute.proto and recoverable_error.proto.
    [InlineData(Structs + "Attribute", "int_val", 2, FieldType.Int64, false)]
    [InlineData(Structs + "Attribute", "bool_val", 4, FieldType.Bool, false)]
    [InlineData(Structs + "Attribute", "unit", 5, FieldType.String, false)]
    [InlineData(Structs + "RecoverableError", "recoverable", 1, FieldType.Bool, false)]
    // go-plugin internal services.
    [InlineData(GoPlugin + "StdioData", "channel", 1, FieldType.Enum, false)]
    [InlineData(GoPlugin + "StdioData", "data", 2, FieldType.Bytes, false)]
    [InlineData(GoPlugin + "ConnInfo", "service_id", 1, FieldType.UInt32, false)]
    [InlineData(GoPlugin + "ConnInfo", "knock", 4, FieldType.Message, false)]
    [InlineData(GoPlugin + "ConnInfo.Knock", "error", 3, FieldType.String, false)]
    public void Field_AsDeclared_HasUpstreamNumberTypeAndCardinality(
        string message,
        string field,
        int number,
        FieldType type,
        bool repeated
    )
    {
        var descriptor = ProtoCatalog.Field(message, field);

        Assert.Equal(number, descriptor.FieldNumber);
        Assert.Equal(type, descriptor.FieldType);
        Assert.Equal(repeated, descriptor.IsRepeated);
    }

    [Theory]
    [InlineData(Base + "SetConfigRequest", "nomad_config", Base + "NomadConfig")]
    [InlineData(Base + "NomadDriverConfig", "Topology", Base + "ClientTopology")]
    [InlineData(Base + "ConfigSchemaResponse", "spec", Hcl + "Spec")]
    [InlineData(Drv + "TaskConfigSchemaResponse", "spec", Hcl + "Spec")]
    [InlineData(Drv + "StartTaskRequest", "task", Drv + "TaskConfig")]
    [InlineData(Drv + "TaskHandle", "config", Drv + "TaskConfig")]
    [InlineData(Drv + "StopTaskRequest", "timeout", "google.protobuf.Duration")]
    [InlineData(Drv + "TaskStatus", "started_at", "google.protobuf.Timestamp")]
    [InlineData(Drv + "ExecTaskStreamingResponse", "stdout", Drv + "ExecTaskStreamingIOOperation")]
    [InlineData(Drv + "NetworkIsolationSpec", "hostsConfig", Drv + "HostsConfig")]
    [InlineData(Hcl + "Spec", "Attr", Hcl + "Attr")]
    [InlineData(Hcl + "Spec", "block_value", Hcl + "Block")]
    [InlineData(GoPlugin + "ConnInfo", "knock", GoPlugin + "ConnInfo.Knock")]
    public void MessageField_AsDeclared_PointsAtUpstreamType(string message, string field, string typeName)
    {
        var descriptor = ProtoCatalog.Field(message, field);

        Assert.Equal(typeName, descriptor.MessageType.FullName);
    }

    [Theory]
    [InlineData(Drv + "FingerprintResponse", "attributes", Structs + "Attribute")]
    [InlineData(Drv + "TaskStats", "resource_usage_by_pid", Drv + "TaskResourceUsage")]
    [InlineData(Hcl + "Object", "attributes", Hcl + "Spec")]
    public void MapField_AsDeclared_HasStringKeysAndUpstreamValueType(string message, string field, string valueType)
    {
        var descriptor = ProtoCatalog.Field(message, field);

        Assert.True(descriptor.IsMap);
        var entry = descriptor.MessageType;
        Assert.Equal(FieldType.String, entry.FindFieldByNumber(1).FieldType);
        Assert.Equal(valueType, entry.FindFieldByNumber(2).MessageType.FullName);
    }

    [Theory]
    [InlineData(Hcl + "Spec", "block", new[] { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10 })]
    [InlineData(Structs + "Attribute", "value", new[] { 1, 2, 3, 4 })]
    public void Oneof_AsDeclared_HoldsExactlyTheUpstreamFields(string message, string oneof, int[] numbers)
    {
        var descriptor = ProtoCatalog.Message(message).Oneofs.Single(o => o.Name == oneof);

        Assert.Equal(numbers, descriptor.Fields.Select(f => f.FieldNumber).Order());
    }
}
