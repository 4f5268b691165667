using NomadQemu.Core.Config;
using NomadQemu.Core.Qemu;
using NomadQemu.Core.Validation;
using NomadQemu.Core.Validation.Args;
using NomadQemu.Driver.Files;
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
        using var plan = await PlanAsync(request, cancellationToken, allowWarm: false);
        return new PlanSummary(plan.Accelerator, plan.Forwards);
    }

    internal async Task<LaunchPlan> PlanAsync(
        TaskRequest request,
        CancellationToken cancellationToken,
        bool allowWarm = true
    )
    {
        PassedFds? fds = null;
        WarmStart.WarmPlan? warm = null;
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
            ArgsPolicy.Check(config.Args, ArgsAllowlist.Parse(plugin.ArgsAllowlist), AllocatedPorts(request));
            DriveInterfaceGuard.Check(config.EffectiveDriveInterface);
            MemoryGuard.Check(request.MemoryMb);
            FirmwareGuard.Check(config);
            Core.WarmStart.WarmStartGuard.Check(config);

            var runDir = Path.Combine(taskDir, RunDirName);
            var qmpSocket = Path.Combine(runDir, "qmp.sock");
            var agentSocket = GuestAgent.GuestAgentLink.SocketIn(runDir);
            UnixSocketPathGuard.Check(qmpSocket);
            if (config.GuestAgent)
            {
                UnixSocketPathGuard.Check(agentSocket);
            }

            var accelerator = await ResolveAcceleratorAsync(config.Accelerator, emulator, arch, cancellationToken);
            fds = new PassedFds();
            var files = OpenJobFiles(config, request, fds);
            var roots = ImagePathGuard.Roots(request.AllocDir, plugin.ImagePaths);
            var disks = OpenExtraDisks(config, request, roots, fds);
            var seed = PlanSeed(config, request, roots, fds);
            var uefi = PlanUefi(config, arch, fds);
            var forwards = PortForwardResolver.Resolve(config.PortMap, request.GroupPorts, request.LegacyNetworks);

            var vcpus = VcpuResolver.Resolve(config.Vcpus, request.CpusetCpus);
            var spec = new QemuLaunchSpec
            {
                Config = config,
                EmulatorPath = emulator,
                Accelerator = accelerator,
                TaskName = request.TaskName,
                MemoryMb = request.MemoryMb,
                Vcpus = vcpus,
                Drive = files.Drive,
                FdSets = fds.Members,
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
                KernelPath = files.KernelPath,
                InitrdPath = files.InitrdPath,
                SeedDrive = seed?.Drive,
                ExtraDrives = disks.Drives,
                NicMacAddress = seed?.Mac,
                Uefi = uefi.Flash,
            };
            var commandLine = QemuCommandLineBuilder.Build(spec);
            if (allowWarm && config.WarmStart is not null)
            {
                (warm, commandLine) = await PlanWarmAsync(request, spec, commandLine, files, fds, cancellationToken);
            }

            IReadOnlyList<string> launcherPrefix = [];
            if (!string.IsNullOrEmpty(request.NetnsPath))
            {
                // Group (bridge/CNI) networking: QEMU's user-mode network lives in the alloc's namespace.
                // nsenter runs as root in front of the jail: setns needs privileges the jailed uid lacks.
                var nsenter =
                    FindOnPath("nsenter")
                    ?? throw new DriverException(
                        DriverErrorKind.Internal,
                        "nsenter (util-linux) is required for group networking but is not in PATH"
                    );
                launcherPrefix = [nsenter, $"--net={request.NetnsPath}", "--"];
            }
            return new LaunchPlan(
                config,
                runDir,
                qmpSocket,
                files.Overlay,
                accelerator,
                emulator,
                commandLine.Executable,
                commandLine.Arguments,
                PortForwardResolver.GuestPortMap(forwards),
                forwards,
                commandLine.Warnings,
                fds,
                uefi.Vars,
                MemoryPlan.For(request.MemoryMb, request.MemoryMaxMb, vcpus, files.DirectBootBytes)
            )
            {
                LauncherPrefix = launcherPrefix,
                GuestAgentSocket = config.GuestAgent ? agentSocket : null,
                Seed = seed?.Plan,
                ExtraOverlays = disks.Overlays,
                BlankDisks = disks.Blanks,
                Warm = warm,
            };
        }
        catch (ConfigException e)
        {
            warm?.Dispose();
            fds?.Dispose();
            throw new DriverException(DriverErrorKind.InvalidConfig, e.Message, e);
        }
        catch
        {
            warm?.Dispose();
            fds?.Dispose();
            throw;
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
            .. (config.CloudInit?.Files() ?? []).Select(f => ($"config key \"{f.Key}\"", (string?)f.Path)),
            .. config.Disks.Select(d => ($"config key \"{d.Name}.{TaskConfigSchema.DiskSource}\"", d.Source)),
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

    /// <summary>Every host address and port Nomad allocated to the task (group and legacy networks).</summary>
    private static List<AllocatedPort> AllocatedPorts(TaskRequest request) =>
        [
            .. request.GroupPorts.Select(p => new AllocatedPort(p.HostIp, p.HostPort)),
            .. request.LegacyNetworks.SelectMany(n =>
                n.ReservedPorts.Concat(n.DynamicPorts).Select(p => new AllocatedPort(n.Ip, p.Value))
            ),
        ];

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
