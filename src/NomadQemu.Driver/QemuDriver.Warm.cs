using System.Collections.Concurrent;
using System.Globalization;
using Microsoft.Win32.SafeHandles;
using NomadQemu.Core.Config;
using NomadQemu.Core.Qemu;
using NomadQemu.Core.WarmStart;
using NomadQemu.Driver.Files;
using NomadQemu.Driver.Native;
using NomadQemu.Driver.WarmStart;

namespace NomadQemu.Driver;

/// <summary>
/// Warm starts, planning side: the template key of a start, and whether it builds the template, restores a clone
/// of it, or boots cold. QemuDriver.WarmBuild saves a template, QemuDriver.WarmClone finishes a restore.
/// </summary>
public sealed partial class QemuDriver
{
    private const long MiB = 1024 * 1024;

    /// <summary>Versioned machine types per emulator identity (<c>-machine help</c> runs once per binary).</summary>
    private readonly ConcurrentDictionary<string, IReadOnlyDictionary<string, string>> _machineAliases = new();

    /// <summary>
    /// One sealed RAM memfd per template (by key and ram file identity): every clone maps the same pages, so
    /// clones of one template share their unwritten memory.
    /// </summary>
    private readonly ConcurrentDictionary<string, (FileIdentity Ram, SafeFileHandle Memfd)> _templateRam = new();

    /// <summary>Held while a memfd is looked up, reopened, made or dropped: one must never be disposed mid-reopen.</summary>
    private readonly Lock _templateRamGate = new();

    /// <summary>Template disks whose digest this process already checked, by file identity.</summary>
    private readonly ConcurrentDictionary<FileIdentity, string> _checkedDisks = new();

    private TemplateStore Templates => new(TemplateCache.RootIn(StateDir));

    /// <summary>After QMP answers: save the template (build), finish the restore (clone), or only report (cold).</summary>
    /// <returns>The task event text, or null without <c>warm_start</c>.</returns>
    private async Task<string?> FinishWarmAsync(
        LaunchPlan plan,
        DateTimeOffset qemuStarted,
        System.Diagnostics.Stopwatch sinceStart,
        CancellationToken cancellationToken
    ) =>
        plan.Warm switch
        {
            null => null,
            { Mode: WarmMode.Clone } clone => await FinishCloneAsync(plan, clone, sinceStart, cancellationToken),
            { Mode: WarmMode.Build } build => (build.Notice is null ? "" : build.Notice + ". ")
                + await BuildTemplateAsync(plan, build, qemuStarted, cancellationToken),
            { } cold => cold.Notice,
        };

    private async Task<(WarmPlan?, QemuCommandLine)> PlanWarmAsync(
        TaskRequest request,
        QemuLaunchSpec spec,
        QemuCommandLine cold,
        JobFiles files,
        PassedFds fds,
        CancellationToken cancellationToken
    )
    {
        var config = spec.Config;
        var warm = config.WarmStart!;
        if (files.Overlay is null)
        {
            // An ISO boots without an overlay: there is no disk state of the moment to freeze.
            return (
                null,
                cold with
                {
                    Warnings = [.. cold.Warnings, "warm_start ignored: an ISO image has no disk overlay to freeze"],
                }
            );
        }
        if (warm.Ready.GuestPort is { } port && spec.PortForwards.All(f => f.GuestPort != port))
        {
            throw ConfigException.ForKey(
                $"{WarmStartConfig.FullKey(TaskConfigSchema.WarmStartReady)}.{TaskConfigSchema.WarmReadyGuestPort}",
                $"guest port {port} is not forwarded (add it to port_map or the group's ports), so the driver cannot check it"
            );
        }
        var machine = MachineTypeAliases.Resolve(
            await MachineAliasesAsync(spec.EmulatorPath, cancellationToken),
            config.EffectiveMachineType
        );
        var key = new TemplateKey()
            // Only starts of one job share its templates. The template VM runs before it is saved, and whoever
            // controls that job (exec through the agent, its forwarded ports, a long ready delay) can change the
            // guest it freezes: another job with the same image and config must never resume that guest.
            .Add("scope.namespace", request.Namespace)
            .Add("scope.job", TemplateScopeJob(request))
            .Add("emulator", spec.EmulatorPath)
            .Add("emulator.identity", IdentityText(spec.EmulatorPath))
            .Add("driver.identity", IdentityText(Environment.ProcessPath ?? ""))
            .Add("machine", machine)
            .Add("accelerator", spec.Accelerator)
            .Add("cpu_model", config.CpuModel ?? "")
            .Add("memory_mb", spec.MemoryMb.ToString(CultureInfo.InvariantCulture))
            .Add("vcpus", spec.Vcpus.ToString(CultureInfo.InvariantCulture))
            .Add("sandbox", spec.Sandbox ? "on" : "off")
            .AddRange("argv", TemplateKey.Shape(cold.Arguments))
            .AddRange("files", files.Digests)
            .Add("warm_start.ready", warm.Ready.Describe());
        var keyText = key.Compute();
        var inputs = key.Parts.Select(p => $"{p.Key}={p.Value}").ToList();
        var store = Templates;
        string? notice = null;

        if (store.Read(keyText) is { } template)
        {
            try
            {
                var launch = OpenClone(store, template, machine, spec.MemoryMb, fds, out var diskSet);
                var top = spec.Drive.Top;
                var cloneSpec = spec with
                {
                    // The clone's overlay sits on the frozen template disk, which sits on the job's image.
                    Drive = spec.Drive with
                    {
                        Top = top with { Backing = new DiskLayer("qcow2", diskSet, top.Backing) },
                    },
                    FdSets = fds.Members,
                    Warm = launch,
                };
                var plan = new WarmPlan
                {
                    Mode = WarmMode.Clone,
                    Key = keyText,
                    Config = warm,
                    MemoryMb = spec.MemoryMb,
                    Template = template,
                    IncomingFd = launch.IncomingFd,
                };
                return (plan, QemuCommandLineBuilder.Build(cloneSpec));
            }
            catch (IOException e)
            {
                notice =
                    $"template {keyText[..12]} is unusable ({e.Message}); dropped it, booting cold to build it again";
                DropTemplate(store, keyText);
            }
        }

        var buildLock = store.TryLock(keyText);
        if (buildLock is null)
        {
            var busy = new WarmPlan
            {
                Mode = WarmMode.Cold,
                Key = keyText,
                Config = warm,
                MemoryMb = spec.MemoryMb,
                Notice = $"template {keyText[..12]} is being built by another start; booting cold",
            };
            return (busy, cold);
        }
        SafeFileHandle? ram = null;
        try
        {
            ram = RamMemfd.Create("warm-template-ram", spec.MemoryMb * MiB);
            var ramFd = fds.Add(RamMemfd.Reopen(ram, writable: true));
            var buildSpec = spec with
            {
                Drive = spec.Drive with { Top = spec.Drive.Top with { FileLocking = false } },
                Warm = new WarmLaunch(machine, $"/proc/self/fd/{ramFd}", RamShared: true, IncomingFd: null),
            };
            var plan = new WarmPlan
            {
                Mode = WarmMode.Build,
                Key = keyText,
                Config = warm,
                MemoryMb = spec.MemoryMb,
                Inputs = inputs,
                Lock = buildLock,
                Ram = ram,
                Notice = notice,
            };
            return (plan, QemuCommandLineBuilder.Build(buildSpec));
        }
        catch
        {
            ram?.Dispose();
            buildLock.Dispose();
            throw;
        }
    }

    /// <summary>
    /// The job a template belongs to: a dispatched or periodic child shares its parent's (same spec, same owner);
    /// a Nomad too old to send job ids falls back to the job's name.
    /// </summary>
    private static string TemplateScopeJob(TaskRequest request) =>
        !string.IsNullOrEmpty(request.ParentJobId) ? "parent:" + request.ParentJobId
        : !string.IsNullOrEmpty(request.JobId) ? "id:" + request.JobId
        : "name:" + request.JobName;

    /// <summary>
    /// Opens a template's files for a clone and checks them against template.json: the state each time (it is
    /// small), the RAM and disk once per file version per process (they are large; the sealed RAM memfd is then
    /// reused by every clone). Adds the descriptors QEMU inherits.
    /// </summary>
    /// <exception cref="IOException">A file is missing, of the wrong size or content.</exception>
    private WarmLaunch OpenClone(
        TemplateStore store,
        TemplateInfo template,
        string machine,
        long memoryMb,
        PassedFds fds,
        out int diskSet
    )
    {
        if (template.MemoryMb != memoryMb || template.RamBytes != memoryMb * MiB)
        {
            throw new IOException($"it was saved with {template.MemoryMb} MiB of RAM, not {memoryMb}");
        }
        var state = store.OpenFile(template.Key, TemplateStore.StateFile);
        var stateFd = fds.Add(state);
        if (RandomAccess.GetLength(state) != template.StateBytes || SparseCopy.Sha256(state) != template.StateSha256)
        {
            throw new IOException("the saved device state does not match template.json");
        }
        var disk = store.OpenFile(template.Key, TemplateStore.DiskFile);
        diskSet = fds.NewSet(fds.Add(disk));
        var diskIdentity = IdentityOf(disk);
        if (!_checkedDisks.TryGetValue(diskIdentity, out var diskDigest) || diskDigest != template.DiskSha256)
        {
            if (SparseCopy.Sha256(disk) != template.DiskSha256)
            {
                throw new IOException("the frozen disk does not match template.json");
            }
            _checkedDisks[diskIdentity] = template.DiskSha256;
        }
        SafeFileHandle qemuRam;
        lock (_templateRamGate)
        {
            qemuRam = RamMemfd.Reopen(TemplateRam(store, template), writable: false);
        }
        var ramFd = fds.Add(qemuRam);
        return new WarmLaunch(machine, $"/proc/self/fd/{ramFd}", RamShared: false, IncomingFd: stateFd);
    }

    private SafeFileHandle TemplateRam(TemplateStore store, TemplateInfo template)
    {
        using var file = store.OpenFile(template.Key, TemplateStore.RamFile);
        var identity = IdentityOf(file);
        if (_templateRam.TryGetValue(template.Key, out var cached) && cached.Ram == identity)
        {
            return cached.Memfd;
        }
        if (RandomAccess.GetLength(file) != template.RamBytes)
        {
            throw new IOException(
                $"the stored RAM holds {RandomAccess.GetLength(file)} bytes, template.json says {template.RamBytes}"
            );
        }
        var memfd = RamMemfd.SealedFrom(file, template.RamBytes, template.RamSha256);
        if (_templateRam.TryRemove(template.Key, out var stale))
        {
            stale.Memfd.Dispose();
        }
        _templateRam[template.Key] = (identity, memfd);
        return memfd;
    }

    /// <summary>Removes a template and forgets its RAM memfd (running clones keep their own descriptors).</summary>
    private void DropTemplate(TemplateStore store, string key)
    {
        lock (_templateRamGate)
        {
            if (_templateRam.TryRemove(key, out var cached))
            {
                cached.Memfd.Dispose();
            }
        }
        try
        {
            store.Drop(key);
        }
        catch (IOException) { }
    }

    private async Task<IReadOnlyDictionary<string, string>> MachineAliasesAsync(
        string emulator,
        CancellationToken cancellationToken
    )
    {
        var cacheKey = emulator + "\n" + IdentityText(emulator);
        if (_machineAliases.TryGetValue(cacheKey, out var known))
        {
            return known;
        }
        var result = await ProcessRunner.RunAsync(
            emulator,
            ["-machine", "help"],
            TimeSpan.FromSeconds(20),
            cancellationToken
        );
        if (result.ExitCode != 0)
        {
            throw new DriverException(
                DriverErrorKind.Internal,
                $"{emulator} -machine help failed (exit {result.ExitCode}): {result.Stderr.Trim()}"
            );
        }
        var aliases = MachineTypeAliases.Parse(result.Stdout);
        _machineAliases[cacheKey] = aliases;
        return aliases;
    }

    private static string IdentityText(string path) =>
        FileIdentity.Of(path) is { } id
            ? string.Create(
                CultureInfo.InvariantCulture,
                $"{id.Device}:{id.Inode}:{id.Size}:{id.ModifiedNs}:{id.ChangedNs}"
            )
            : "missing";

    private static FileIdentity IdentityOf(SafeFileHandle file) =>
        FileIdentity.Of($"/proc/self/fd/{file.DangerousGetHandle()}")
        ?? throw new IOException("cannot stat an opened template file");
}
