using NomadQemu.JobFiles.Hcl;

namespace NomadQemu.JobFiles;

/// <summary>
/// Turns a parsed HCL job file into a <see cref="JobSpec"/>: resolves variables and locals, then reads the
/// job > group > task structure. Settings a standalone run does not use (service, constraint, update,
/// template, restart, ...) are accepted and ignored; the structure itself is checked strictly.
/// </summary>
internal static class HclJobDecoder
{
    public static JobSpec Decode(
        HclBody file,
        HclEvalContext context,
        IReadOnlyDictionary<string, string> vars,
        Func<string, string?> environment
    )
    {
        RejectMisplaced(file, "group", "a group must be inside a job block: job \"name\" { group \"name\" { ... } }");
        RejectMisplaced(
            file,
            "task",
            "a task must be inside a group: job \"name\" { group \"name\" { task \"name\" { ... } } }"
        );
        var jobs = file.BlocksOfType("job").ToList();
        if (jobs.Count == 0)
        {
            throw new HclException(
                new HclPosition(file.Source.Name, 1, 1),
                "no job block found: a job file needs job \"name\" { ... }"
            );
        }
        if (jobs.Count > 1)
        {
            throw JobBodyReader.ErrorAt(
                file,
                jobs[1].Position,
                $"only one job block is allowed per file (the first is at {jobs[0].Position})"
            );
        }
        JobVariables.Resolve(file, context, vars, environment);
        return ReadJob(jobs[0], context, new MetaMerger());
    }

    private static void RejectMisplaced(HclBody body, string type, string message)
    {
        if (body.BlocksOfType(type).FirstOrDefault() is { } misplaced)
        {
            throw JobBodyReader.ErrorAt(body, misplaced.Position, message);
        }
    }

    private static JobSpec ReadJob(HclBlock block, HclEvalContext context, MetaMerger merger)
    {
        var id = JobBodyReader.SingleLabel(block, "job");
        var job = new JobBodyReader(block.Body, context, $"job \"{id}\"");
        job.RejectDynamic(block.Body, "job");
        if (job.Blocks("task").FirstOrDefault() is { } task)
        {
            throw job.Error(task.Position, "a task must be inside a group: Nomad jobs nest job > group > task");
        }
        // Job-level settings first, so errors come out in roughly source order.
        var name = job.String("name") ?? id;
        var type = job.String("type") ?? "service";
        var datacenters = job.StringList("datacenters") ?? ["*"];
        var meta = job.StringMap("meta") ?? [];
        var groups = new List<GroupSpec>();
        var groupsByName = new Dictionary<string, GroupSpec>(StringComparer.Ordinal);
        foreach (var groupBlock in job.StructuralBlocks("group"))
        {
            var group = ReadGroup(job, groupBlock, meta, merger);
            if (!groupsByName.TryAdd(group.Name, group) && groupsByName[group.Name] is var first)
            {
                throw job.Error(
                    groupBlock.Position,
                    $"duplicate group \"{group.Name}\" (the first is at {first.Position})"
                );
            }
            groups.Add(group);
        }
        if (groups.Count == 0)
        {
            throw job.Error(block.Position, "the job has no group blocks; tasks go in job > group > task");
        }
        return new JobSpec
        {
            Id = id,
            Name = name,
            Type = type,
            Datacenters = datacenters,
            Groups = groups,
            Position = block.Position,
        };
    }

    private static GroupSpec ReadGroup(
        JobBodyReader job,
        HclBlock block,
        Dictionary<string, string> jobMeta,
        MetaMerger merger
    )
    {
        var name = JobBodyReader.SingleLabel(block, "group");
        var group = job.For(block, $"group \"{name}\"");
        group.RejectDynamic(block.Body, $"group \"{name}\"");
        var meta = merger.Merge(jobMeta, group.StringMap("meta"), detail => group.Error(block.Position, detail));
        var networkBlock = group.SingleStructuralBlock("network");
        var tasks = new List<TaskSpec>();
        var tasksByName = new Dictionary<string, TaskSpec>(StringComparer.Ordinal);
        foreach (var taskBlock in group.StructuralBlocks("task"))
        {
            var task = ReadTask(group, taskBlock, meta, merger);
            if (!tasksByName.TryAdd(task.Name, task) && tasksByName[task.Name] is var first)
            {
                throw group.Error(
                    taskBlock.LabelPositions.Count > 0 ? taskBlock.LabelPositions[0] : taskBlock.Position,
                    $"duplicate task \"{task.Name}\" (the first is at {first.Position})"
                );
            }
            tasks.Add(task);
        }
        if (tasks.Count == 0)
        {
            throw group.Error(block.Position, "the group has no task blocks");
        }
        return new GroupSpec
        {
            Name = name,
            Count = group.NonNegativeInt("count", 1),
            Network = networkBlock is null ? null : ReadNetwork(group, networkBlock),
            Tasks = tasks,
            Position = block.Position,
        };
    }

    private static TaskSpec ReadTask(
        JobBodyReader group,
        HclBlock block,
        Dictionary<string, string> groupMeta,
        MetaMerger merger
    )
    {
        var name = JobBodyReader.SingleLabel(block, "task");
        var task = group.For(block, $"task \"{name}\"");
        task.RejectDynamic(block.Body, $"task \"{name}\"");
        return new TaskSpec
        {
            Name = name,
            Driver = task.RequiredString("driver", block.Position),
            Config = task.ObjectAttributeOrBlock("config") ?? HclObject.Empty,
            Env = task.StringMap("env") ?? [],
            Resources = ReadResources(task),
            KillTimeout = task.Duration("kill_timeout") ?? TaskSpec.DefaultKillTimeout,
            KillSignal = task.String("kill_signal"),
            Artifacts = task.StructuralBlocks("artifact").Select(a => ReadArtifact(task, a)).ToArray(),
            Meta = merger.Merge(groupMeta, task.StringMap("meta"), detail => task.Error(block.Position, detail)),
            Position = block.Position,
        };
    }

    private static ResourcesSpec ReadResources(JobBodyReader task)
    {
        if (task.SingleStructuralBlock("resources") is not { } block)
        {
            return new ResourcesSpec();
        }
        var resources = task.For(block, $"{task.Owner}: resources");
        return new ResourcesSpec
        {
            Cpu = resources.NonNegativeInt("cpu", 100),
            Cores = resources.NonNegativeInt("cores", 0),
            MemoryMb = resources.NonNegativeInt("memory", 300),
            MemoryMaxMb = resources.NonNegativeInt("memory_max", 0),
            Networks = resources.StructuralBlocks("network").Select(n => ReadNetwork(resources, n)).ToArray(),
        };
    }

    private static NetworkSpec ReadNetwork(JobBodyReader owner, HclBlock block)
    {
        var network = owner.For(block, $"{owner.Owner}: network");
        network.RejectDynamic(block.Body, "network");
        var ports = new List<PortSpec>();
        var portsByLabel = new Dictionary<string, PortSpec>(StringComparer.Ordinal);
        foreach (var portBlock in network.StructuralBlocks("port"))
        {
            if (portBlock.Labels.Count != 1)
            {
                throw network.Error(portBlock.Position, "a port block needs a label, like port \"http\" { to = 8080 }");
            }
            var label = portBlock.Labels[0];
            if (portsByLabel.TryGetValue(label, out var first))
            {
                throw network.Error(
                    portBlock.LabelPositions[0],
                    $"duplicate port \"{label}\" (the first is at {first.Position})"
                );
            }
            var port = network.For(portBlock, $"{owner.Owner}: port \"{label}\"");
            var spec = new PortSpec
            {
                Label = label,
                Static = PositivePort(port, "static"),
                To = PositivePort(port, "to"),
                HostNetwork = port.String("host_network") ?? "default",
                Position = portBlock.Position,
            };
            portsByLabel[label] = spec;
            ports.Add(spec);
        }
        return new NetworkSpec
        {
            Mode = network.String("mode") ?? "host",
            Mbits = network.NonNegativeInt("mbits", 0),
            Ports = ports,
            Position = block.Position,
        };
    }

    /// <summary>A port number, or null when absent or 0 (Nomad's "not set"); -1 is kept (to = -1: same as the host port).</summary>
    private static int? PositivePort(JobBodyReader port, string name)
    {
        var value = port.Int(name);
        if (value is null or 0)
        {
            return null;
        }
        return value is >= -1 and <= 65535
            ? value
            : throw port.Error(
                port.Body.Attribute(name)!.Position,
                $"\"{name}\" must be a port number (1-65535), not {value}"
            );
    }

    private static ArtifactSpec ReadArtifact(JobBodyReader task, HclBlock block)
    {
        var artifact = task.For(block, $"{task.Owner}: artifact");
        return new ArtifactSpec
        {
            Source = artifact.RequiredString("source", block.Position),
            Destination = artifact.String("destination") ?? "local/",
            Mode = artifact.String("mode") ?? "any",
            Options = artifact.StringMap("options") ?? [],
            Headers = artifact.StringMap("headers") ?? [],
            Position = block.Position,
        };
    }
}
