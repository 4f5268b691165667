using NomadQemu.Core.Config.Schema;

namespace NomadQemu.Core.Config;

/// <summary>
/// The job's <c>config { ... }</c> schema: a superset of the built-in <c>qemu</c> driver's, with the same types
/// for the shared keys so existing jobs decode unchanged.
/// </summary>
public static class TaskConfigSchema
{
    // Built-in keys.
    public const string ImagePath = "image_path";
    public const string Emulator = "emulator";
    public const string MachineType = "machine_type";
    public const string Accelerator = "accelerator";
    public const string DriveInterface = "drive_interface";
    public const string GracefulShutdown = "graceful_shutdown";
    public const string GuestAgent = "guest_agent";
    public const string PortMap = "port_map";
    public const string Args = "args";

    // Our keys.
    public const string DiskMode = "disk_mode";
    public const string ImageFormat = "image_format";
    public const string Profile = "profile";
    public const string Kernel = "kernel";
    public const string Initrd = "initrd";
    public const string KernelArgs = "kernel_args";
    public const string CpuModel = "cpu_model";
    public const string Vcpus = "vcpus";
    public const string Firmware = "firmware";
    public const string SecureBoot = "secure_boot";

    // cloud_init { ... } (one block) and its keys.
    public const string CloudInit = "cloud_init";
    public const string CloudInitUserData = "user_data";
    public const string CloudInitUserDataFile = "user_data_file";
    public const string CloudInitMetaData = "meta_data";
    public const string CloudInitVendorData = "vendor_data";
    public const string CloudInitVendorDataFile = "vendor_data_file";
    public const string CloudInitNetworkConfig = "network_config";
    public const string CloudInitNetworkConfigFile = "network_config_file";

    // warm_start { ready { ... } timeout } (one block) and its keys.
    public const string WarmStart = "warm_start";
    public const string WarmStartReady = "ready";
    public const string WarmStartTimeout = "timeout";
    public const string WarmReadyGuestAgent = "guest_agent";
    public const string WarmReadyGuestPort = "guest_port";
    public const string WarmReadyDelay = "delay";

    // disk { ... } (repeatable) and its keys.
    public const string Disk = "disk";
    public const string DiskSource = "source";
    public const string DiskSize = "size";
    public const string DiskFormat = "format";
    public const string DiskInterface = "interface";
    public const string DiskReadOnly = "read_only";
    public const string DiskCache = "cache";
    public const string DiskDiscard = "discard";
    public const string DiskSerial = "serial";
    public const string DiskBootIndex = "boot_index";

    public static ObjectSchema Spec { get; } =
        new(
            new Dictionary<string, SchemaNode>
            {
                [ImagePath] = new AttrSchema(ImagePath, "string", Required: true),
                [Emulator] = WithDefault(Emulator, "string", "\"x86_64\""),
                // No schema default: the effective default depends on the profile (compat "pc", fast "q35").
                [MachineType] = new AttrSchema(MachineType, "string"),
                [Accelerator] = WithDefault(Accelerator, "string", "\"auto\""),
                // No schema default: compat "ide", fast "virtio".
                [DriveInterface] = new AttrSchema(DriveInterface, "string"),
                [GracefulShutdown] = WithDefault(GracefulShutdown, "bool", "true"),
                [GuestAgent] = WithDefault(GuestAgent, "bool", "false"),
                // Exactly the built-in's type: HCL1-style `port_map { http = 80 }` arrives as a list holding one map.
                [PortMap] = new AttrSchema(PortMap, "list(map(number))"),
                [Args] = new AttrSchema(Args, "list(string)"),
                [DiskMode] = WithDefault(DiskMode, "string", "\"overlay\""),
                [ImageFormat] = new AttrSchema(ImageFormat, "string"),
                [Profile] = WithDefault(Profile, "string", "\"compat\""),
                [Kernel] = new AttrSchema(Kernel, "string"),
                [Initrd] = new AttrSchema(Initrd, "string"),
                [KernelArgs] = new AttrSchema(KernelArgs, "string"),
                [CpuModel] = new AttrSchema(CpuModel, "string"),
                [Vcpus] = new AttrSchema(Vcpus, "number"),
                [Firmware] = WithDefault(Firmware, "string", "\"bios\""),
                [SecureBoot] = WithDefault(SecureBoot, "bool", "false"),
                [CloudInit] = new BlockSchema(CloudInit, CloudInitSpec),
                [Disk] = new BlockListSchema(Disk, DiskSpec, MaxItems: DiskConfig.MaxDisks),
                [WarmStart] = new BlockSchema(WarmStart, WarmStartSpec),
            }
        );

    private static ObjectSchema DiskSpec =>
        new(
            new Dictionary<string, SchemaNode>
            {
                [DiskSource] = new AttrSchema(DiskSource, "string"),
                [DiskSize] = new AttrSchema(DiskSize, "string"),
                [DiskFormat] = new AttrSchema(DiskFormat, "string"),
                [DiskInterface] = new AttrSchema(DiskInterface, "string"),
                [DiskReadOnly] = new DefaultSchema(new AttrSchema(DiskReadOnly, "bool"), "false"),
                [DiskCache] = new AttrSchema(DiskCache, "string"),
                [DiskDiscard] = new AttrSchema(DiskDiscard, "string"),
                [DiskSerial] = new AttrSchema(DiskSerial, "string"),
                [DiskBootIndex] = new AttrSchema(DiskBootIndex, "number"),
            }
        );

    private static ObjectSchema WarmStartSpec =>
        new(
            new Dictionary<string, SchemaNode>
            {
                [WarmStartReady] = new BlockSchema(
                    WarmStartReady,
                    new ObjectSchema(
                        new Dictionary<string, SchemaNode>
                        {
                            [WarmReadyGuestAgent] = new AttrSchema(WarmReadyGuestAgent, "bool"),
                            [WarmReadyGuestPort] = new AttrSchema(WarmReadyGuestPort, "number"),
                            [WarmReadyDelay] = new AttrSchema(WarmReadyDelay, "string"),
                        }
                    )
                ),
                [WarmStartTimeout] = new AttrSchema(WarmStartTimeout, "string"),
            }
        );

    private static ObjectSchema CloudInitSpec =>
        new(
            new Dictionary<string, SchemaNode>
            {
                [CloudInitUserData] = new AttrSchema(CloudInitUserData, "string"),
                [CloudInitUserDataFile] = new AttrSchema(CloudInitUserDataFile, "string"),
                [CloudInitMetaData] = new AttrSchema(CloudInitMetaData, "map(string)"),
                [CloudInitVendorData] = new AttrSchema(CloudInitVendorData, "string"),
                [CloudInitVendorDataFile] = new AttrSchema(CloudInitVendorDataFile, "string"),
                [CloudInitNetworkConfig] = new AttrSchema(CloudInitNetworkConfig, "string"),
                [CloudInitNetworkConfigFile] = new AttrSchema(CloudInitNetworkConfigFile, "string"),
            }
        );

    private static DefaultSchema WithDefault(string name, string type, string literalHcl) =>
        new(new AttrSchema(name, type), literalHcl);
}
