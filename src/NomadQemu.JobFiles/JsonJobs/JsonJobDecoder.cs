using System.Text.Json;
using NomadQemu.JobFiles.Hcl;

namespace NomadQemu.JobFiles;

/// <summary>
/// Reads Nomad's API JSON job format (what <c>nomad job run -output</c> and the HTTP API produce): either
/// <c>{"Job": {...}}</c> or the bare job object, with PascalCase keys. Defaults match the HCL reader so the
/// same job in either format gives an equal <see cref="JobSpec"/>.
/// </summary>
internal sealed class JsonJobDecoder
{
    private static readonly JsonDocumentOptions s_documentOptions = new()
    {
        CommentHandling = JsonCommentHandling.Skip,
    };

    private readonly JsonPositions _positions;
    private readonly MetaMerger _merger = new();

    private JsonJobDecoder(JsonPositions positions) => _positions = positions;

    public static JobSpec Decode(byte[] utf8, string fileName)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(utf8, s_documentOptions);
        }
        catch (JsonException failure)
        {
            var line = (int)(failure.LineNumber ?? 0) + 1;
            var column = (int)(failure.BytePositionInLine ?? 0) + 1;
            throw new HclException(
                new HclPosition(fileName, line, column),
                $"invalid JSON: {FirstSentence(failure.Message)}"
            );
        }
        using (document)
        {
            var decoder = new JsonJobDecoder(
                JsonPositions.Build(
                    utf8,
                    fileName,
                    new JsonReaderOptions { CommentHandling = JsonCommentHandling.Skip }
                )
            );
            var root = new JsonNode(document.RootElement, "");
            var job = root.Get("Job") is { Element.ValueKind: JsonValueKind.Object } wrapped ? wrapped : root;
            return decoder.ReadJob(job);
        }
    }

    private static string FirstSentence(string message)
    {
        var cut = message.IndexOf(" Path:", StringComparison.Ordinal);
        return cut > 0 ? message[..cut] : message;
    }

    private HclException Error(JsonNode at, string owner, string message)
    {
        var position = _positions.Of(at.Path);
        return new HclException(position, $"{owner}: {message}", _positions.LineText(position.Line));
    }

    private JobSpec ReadJob(JsonNode job)
    {
        var id =
            String(job, "ID", "job")
            ?? String(job, "Name", "job")
            ?? throw Error(job, "job", "missing \"ID\" (or \"Name\")");
        var owner = $"job \"{id}\"";
        var meta = StringMap(job, "Meta", owner) ?? [];
        var groups = new List<GroupSpec>();
        var groupNames = new HashSet<string>(StringComparer.Ordinal);
        foreach (var node in Array(job, "TaskGroups", owner))
        {
            var group = ReadGroup(node, meta);
            if (!groupNames.Add(group.Name))
            {
                throw Error(node, owner, $"duplicate group \"{group.Name}\"");
            }
            groups.Add(group);
        }
        if (groups.Count == 0)
        {
            throw Error(job, owner, "the job has no TaskGroups");
        }
        return new JobSpec
        {
            Id = id,
            Name = String(job, "Name", owner) ?? id,
            Type = String(job, "Type", owner) ?? "service",
            Datacenters = StringList(job, "Datacenters", owner) is { Count: > 0 } datacenters ? datacenters : ["*"],
            Groups = groups,
            Position = _positions.Of(job.Path),
        };
    }

    private GroupSpec ReadGroup(JsonNode group, Dictionary<string, string> jobMeta)
    {
        var name = String(group, "Name", "task group") ?? throw Error(group, "task group", "missing \"Name\"");
        var owner = $"group \"{name}\"";
        var meta = _merger.Merge(jobMeta, StringMap(group, "Meta", owner), detail => Error(group, owner, detail));
        var networks = Array(group, "Networks", owner).ToList();
        if (networks.Count > 1)
        {
            throw Error(networks[1], owner, "only one network is allowed per group");
        }
        var tasks = new List<TaskSpec>();
        var taskNames = new HashSet<string>(StringComparer.Ordinal);
        foreach (var node in Array(group, "Tasks", owner))
        {
            var task = ReadTask(node, owner, meta);
            if (!taskNames.Add(task.Name))
            {
                throw Error(node, owner, $"duplicate task \"{task.Name}\"");
            }
            tasks.Add(task);
        }
        if (tasks.Count == 0)
        {
            throw Error(group, owner, "the group has no Tasks");
        }
        return new GroupSpec
        {
            Name = name,
            Count = Int(group, "Count", owner) ?? 1,
            Network = networks.Count == 1 ? ReadNetwork(networks[0], owner) : null,
            Tasks = tasks,
            Position = _positions.Of(group.Path),
        };
    }

    private TaskSpec ReadTask(JsonNode task, string groupOwner, Dictionary<string, string> groupMeta)
    {
        var name = String(task, "Name", groupOwner) ?? throw Error(task, groupOwner, "a task is missing \"Name\"");
        var owner = $"task \"{name}\"";
        var killTimeout = task.Get("KillTimeout") switch
        {
            null => TaskSpec.DefaultKillTimeout,
            { Element.ValueKind: JsonValueKind.Number } n
                when n.Element.TryGetInt64(out var nanoseconds) && nanoseconds >= 0 => TimeSpan.FromTicks(
                nanoseconds / 100
            ),
            { Element.ValueKind: JsonValueKind.String } s
                when GoDuration.TryParse(s.Element.GetString()!, out var duration) => duration,
            var bad => throw Error(bad.Value, owner, "\"KillTimeout\" must be a duration in nanoseconds"),
        };
        return new TaskSpec
        {
            Name = name,
            Driver = String(task, "Driver", owner) ?? throw Error(task, owner, "missing required \"Driver\""),
            Config = ReadConfig(task, owner),
            Env = StringMap(task, "Env", owner) ?? [],
            Resources = ReadResources(task, owner),
            KillTimeout = killTimeout,
            KillSignal = String(task, "KillSignal", owner) is { Length: > 0 } signal ? signal : null,
            Artifacts = Array(task, "Artifacts", owner).Select(a => ReadArtifact(a, owner)).ToArray(),
            Meta = _merger.Merge(groupMeta, StringMap(task, "Meta", owner), detail => Error(task, owner, detail)),
            Position = _positions.Of(task.Path),
        };
    }

    private HclObject ReadConfig(JsonNode task, string owner)
    {
        if (task.Get("Config") is not { } config)
        {
            return HclObject.Empty;
        }
        try
        {
            return JsonNode.ToValue(config.Element) as HclObject
                ?? throw Error(config, owner, "\"Config\" must be an object");
        }
        catch (FormatException failure)
        {
            throw Error(config, owner, $"\"Config\": {failure.Message}");
        }
    }

    private ResourcesSpec ReadResources(JsonNode task, string owner)
    {
        if (task.Get("Resources") is not { } resources)
        {
            return new ResourcesSpec();
        }
        return new ResourcesSpec
        {
            Cpu = Int(resources, "CPU", owner) ?? 100,
            Cores = Int(resources, "Cores", owner) ?? 0,
            MemoryMb = Int(resources, "MemoryMB", owner) ?? 300,
            MemoryMaxMb = Int(resources, "MemoryMaxMB", owner) ?? 0,
            Networks = Array(resources, "Networks", owner).Select(n => ReadNetwork(n, owner)).ToArray(),
        };
    }

    private NetworkSpec ReadNetwork(JsonNode network, string owner)
    {
        var ports = new List<PortSpec>();
        foreach (var (list, isStatic) in new[] { ("ReservedPorts", true), ("DynamicPorts", false) })
        {
            foreach (var port in Array(network, list, owner))
            {
                var label = String(port, "Label", owner) is { Length: > 0 } l
                    ? l
                    : throw Error(port, owner, $"a port in {list} has no \"Label\"");
                var value = Int(port, "Value", owner) ?? 0;
                var to = Int(port, "To", owner) ?? 0;
                ports.Add(
                    new PortSpec
                    {
                        Label = label,
                        Static = isStatic && value != 0 ? value : null,
                        To = to != 0 ? to : null,
                        HostNetwork = String(port, "HostNetwork", owner) is { Length: > 0 } host ? host : "default",
                        Position = _positions.Of(port.Path),
                    }
                );
            }
        }
        return new NetworkSpec
        {
            Mode = String(network, "Mode", owner) is { Length: > 0 } mode ? mode : "host",
            Mbits = Int(network, "MBits", owner) ?? 0,
            Ports = ports,
            Position = _positions.Of(network.Path),
        };
    }

    private ArtifactSpec ReadArtifact(JsonNode artifact, string owner) =>
        new()
        {
            Source =
                String(artifact, "GetterSource", owner)
                ?? throw Error(artifact, owner, "an artifact is missing \"GetterSource\""),
            Destination = String(artifact, "RelativeDest", owner) is { Length: > 0 } destination
                ? destination
                : "local/",
            Mode = String(artifact, "GetterMode", owner) is { Length: > 0 } mode ? mode : "any",
            Options = StringMap(artifact, "GetterOptions", owner) ?? [],
            Headers = StringMap(artifact, "GetterHeaders", owner) ?? [],
            Position = _positions.Of(artifact.Path),
        };

    private string? String(JsonNode node, string name, string owner) =>
        node.Get(name) switch
        {
            null => null,
            { Element.ValueKind: JsonValueKind.String } s => s.Element.GetString(),
            var bad => throw Error(bad.Value, owner, $"\"{name}\" must be a string"),
        };

    private int? Int(JsonNode node, string name, string owner) =>
        node.Get(name) switch
        {
            null => null,
            { Element.ValueKind: JsonValueKind.Number } n when n.Element.TryGetInt32(out var value) => value,
            var bad => throw Error(bad.Value, owner, $"\"{name}\" must be a whole number"),
        };

    private IEnumerable<JsonNode> Array(JsonNode node, string name, string owner) =>
        node.Get(name) switch
        {
            null => [],
            { Element.ValueKind: JsonValueKind.Array } list => list.Items(),
            var bad => throw Error(bad.Value, owner, $"\"{name}\" must be a list"),
        };

    private IReadOnlyList<string>? StringList(JsonNode node, string name, string owner) =>
        node.Get(name) is null
            ? null
            : Array(node, name, owner)
                .Select(item =>
                    item.Element.ValueKind == JsonValueKind.String
                        ? item.Element.GetString()!
                        : throw Error(item, owner, $"\"{name}\" must be a list of strings")
                )
                .ToArray();

    private Dictionary<string, string>? StringMap(JsonNode node, string name, string owner)
    {
        if (node.Get(name) is not { } map)
        {
            return null;
        }
        if (map.Element.ValueKind != JsonValueKind.Object)
        {
            throw Error(map, owner, $"\"{name}\" must be an object");
        }
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var property in map.Element.EnumerateObject())
        {
            result[property.Name] = property.Value.ValueKind switch
            {
                JsonValueKind.String => property.Value.GetString()!,
                JsonValueKind.Number or JsonValueKind.True or JsonValueKind.False => property.Value.GetRawText(),
                _ => throw Error(
                    new JsonNode(property.Value, $"{map.Path}/{property.Name}"),
                    owner,
                    $"\"{name}.{property.Name}\" must be a string"
                ),
            };
        }
        return result;
    }
}
