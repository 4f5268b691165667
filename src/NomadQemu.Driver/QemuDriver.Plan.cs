using NomadQemu.Core.Config;
using NomadQemu.Core.Qemu;
using NomadQemu.Core.Validation;
using NomadQemu.Driver.Node;

namespace NomadQemu.Driver;

public sealed partial class QemuDriver
{
    /// <summary>The per-task directory for sockets, the overlay and supervision records.</summary>
    public const string RunDirName = ".qemu";

    /// <summary>
    /// Decides everything about a start without side effects: decodes and validates the config against the
    /// operator's allowlists, resolves paths (symlinks included) and ports, picks the accelerator, and builds
    /// the argv. Every refusal names the config key and what was expected.
    /// </summary>
    public async Task<PlanSummary> ValidateAsync(TaskRequest request, CancellationToken cancellationToken)
    {
        var plan = await PlanAsync(request, cancellationToken);
        return new PlanSummary(plan.Accelerator, plan.Forwards);
    }

    internal async Task<LaunchPlan> PlanAsync(TaskRequest request, CancellationToken cancellationToken)
    {
        try
        {
            var config = TaskConfig.Decode(request.DriverConfig);
            RejectNulCharacters(request, config);
            var plugin = _config;
            var taskDir = request.TaskDir;

            var arch = EmulatorGuard.Check(config.Emulator, plugin.EmulatorsAllowlist);
            var emulator =
                EmulatorDiscovery.Find(_options.PathVariable(), []).GetValueOrDefault(arch)
                ?? throw ConfigException.ForKey(
                    TaskConfigSchema.Emulator,
                    $"{EmulatorGuard.BinaryName(arch)} is not installed on this node (not found in PATH)"
                );
            var image = ImagePathGuard.Resolve(
                TaskConfigSchema.ImagePath,
                config.ImagePath,
                taskDir,
                request.AllocDir,
                plugin.ImagePaths
            );
            if (!File.Exists(image))
            {
                throw ConfigException.ForKey(
                    TaskConfigSchema.ImagePath,
                    $"image \"{config.ImagePath}\" does not exist (resolved to {image})"
                );
            }
            var kernel = config.Kernel is null
                ? null
                : ExistingGuarded(TaskConfigSchema.Kernel, config.Kernel, request, plugin);
            var initrd = config.Initrd is null
                ? null
                : ExistingGuarded(TaskConfigSchema.Initrd, config.Initrd, request, plugin);
            ArgsGuard.Check(config.Args, plugin.ArgsAllowlist);
            DriveInterfaceGuard.Check(config.EffectiveDriveInterface);
            MemoryGuard.Check(request.MemoryMb);

            var runDir = Path.Combine(taskDir, RunDirName);
            var qmpSocket = Path.Combine(runDir, "qmp.sock");
            var agentSocket = Path.Combine(runDir, "qga.sock");
            UnixSocketPathGuard.Check(qmpSocket);
            if (config.GuestAgent)
            {
                UnixSocketPathGuard.Check(agentSocket);
            }

            var kind = ImageFormatDetector.Detect(image, config.ImageFormat);
            var overlay =
                config.DiskMode == DiskMode.Overlay && kind != ImageFormatDetector.Kind.Iso
                    ? Path.Combine(runDir, "overlay.qcow2")
                    : null;
            var accelerator = await ResolveAcceleratorAsync(config.Accelerator, emulator, arch, cancellationToken);
            var forwards = PortForwardResolver.Resolve(config.PortMap, request.GroupPorts, request.LegacyNetworks);

            var commandLine = QemuCommandLineBuilder.Build(
                new QemuLaunchSpec
                {
                    Config = config,
                    EmulatorPath = emulator,
                    Accelerator = accelerator,
                    TaskName = request.TaskName,
                    MemoryMb = request.MemoryMb,
                    Vcpus = VcpuResolver.Resolve(config.Vcpus, request.CpusetCpus),
                    Drive = new DriveSpec(
                        overlay ?? image,
                        overlay is null ? ImageFormatDetector.QemuFormat(kind) : "qcow2",
                        kind == ImageFormatDetector.Kind.Iso ? DriveMedia.Cdrom : DriveMedia.Disk
                    ),
                    QmpSocketPath = qmpSocket,
                    GuestAgentSocketPath = config.GuestAgent ? agentSocket : null,
                    // The supervisor creates both sockets and QEMU inherits them: no writable host path needed.
                    QmpSocketFd = Jail.InheritedFds.QmpSocket,
                    GuestAgentSocketFd = config.GuestAgent ? Jail.InheritedFds.GuestAgentSocket : null,
                    Sandbox = plugin.Sandbox,
                    PortForwards = forwards,
                    Dns =
                        request.DnsServers.Count > 0 || request.DnsSearches.Count > 0
                            ? new DnsSettings(request.DnsServers, request.DnsSearches)
                            : null,
                    KernelPath = kernel,
                    InitrdPath = initrd,
                }
            );

            IReadOnlyList<string> launcherPrefix = [];
            if (!string.IsNullOrEmpty(request.NetnsPath))
            {
                // Group (bridge/CNI) networking: QEMU's user-mode network lives in the alloc's namespace.
                var nsenter =
                    FindOnPath("nsenter")
                    ?? throw new DriverException(
                        DriverErrorKind.Internal,
                        "nsenter (util-linux) is required for group networking but is not in PATH"
                    );
                launcherPrefix = [nsenter, $"--net={request.NetnsPath}", "--"];
            }
            // QEMU opens these by name inside the jail; the image is written only in place (no overlay).
            List<string> readOnly = [.. new[] { kernel, initrd }.OfType<string>()];
            List<string> writable = [.. new[] { overlay }.OfType<string>()];
            (overlay is null && kind != ImageFormatDetector.Kind.Iso ? writable : readOnly).Add(image);
            return new LaunchPlan(
                config,
                runDir,
                qmpSocket,
                image,
                kind,
                overlay,
                accelerator,
                commandLine.Executable,
                commandLine.Arguments,
                PortForwardResolver.GuestPortMap(forwards),
                forwards
            )
            {
                LauncherPrefix = launcherPrefix,
                GuestAgentSocket = config.GuestAgent ? agentSocket : null,
                ReadOnlyFiles = readOnly,
                WritableFiles = writable,
            };
        }
        catch (ConfigException e)
        {
            throw new DriverException(DriverErrorKind.InvalidConfig, e.Message, e);
        }
    }

    /// <summary>
    /// A NUL can never be part of a path or an argv entry: .NET's file APIs throw a bare ArgumentException
    /// on it (reported as an internal error) and C strings would silently cut it off. Refuse it by name.
    /// </summary>
    private static void RejectNulCharacters(TaskRequest request, TaskConfig config)
    {
        (string Name, string? Value)[] fields =
        [
            ("task name", request.TaskName),
            ("alloc_dir", request.AllocDir),
            ("stdout_path", request.StdoutPath),
            ("stderr_path", request.StderrPath),
            ("cgroup path", request.CgroupPath),
            ("network namespace path", request.NetnsPath),
            ($"config key \"{TaskConfigSchema.ImagePath}\"", config.ImagePath),
            ($"config key \"{TaskConfigSchema.Kernel}\"", config.Kernel),
            ($"config key \"{TaskConfigSchema.Initrd}\"", config.Initrd),
            ($"config key \"{TaskConfigSchema.KernelArgs}\"", config.KernelArgs),
        ];
        foreach (
            var (name, value) in fields.Concat(
                config.Args.Select(a => ($"config key \"{TaskConfigSchema.Args}\"", (string?)a))
            )
        )
        {
            if (value is not null && value.Contains('\0', StringComparison.Ordinal))
            {
                throw new ConfigException(null, $"{name} contains a NUL character");
            }
        }
    }

    private static string ExistingGuarded(string key, string path, TaskRequest request, PluginConfig plugin)
    {
        var resolved = ImagePathGuard.Resolve(key, path, request.TaskDir, request.AllocDir, plugin.ImagePaths);
        return File.Exists(resolved)
            ? resolved
            : throw ConfigException.ForKey(key, $"\"{path}\" does not exist (resolved to {resolved})");
    }

    /// <summary>"auto" means KVM only when the fingerprint proved it works; asking for KVM where it does not is refused clearly.</summary>
    private async Task<string> ResolveAcceleratorAsync(
        string requested,
        string emulator,
        string arch,
        CancellationToken cancellationToken
    )
    {
        var wantsProbe = requested is "auto" or "kvm";
        KvmStatus? kvm = null;
        if (wantsProbe && arch == "x86_64" && _config.KvmProbe)
        {
            kvm = await _fingerprinter.KvmAsync(emulator, ProbeJail(), cancellationToken);
        }
        return requested switch
        {
            "auto" => kvm?.Usable == true ? "kvm" : "tcg",
            "kvm" when kvm is { Usable: false } => throw ConfigException.ForKey(
                TaskConfigSchema.Accelerator,
                $"\"kvm\" was requested but KVM is not usable on this node ({kvm.Reason}); use \"auto\" or constrain the job to nodes with driver.qemu.kvm = true"
            ),
            _ => requested,
        };
    }
}
