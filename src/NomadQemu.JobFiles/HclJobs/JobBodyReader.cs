using NomadQemu.JobFiles.Hcl;

namespace NomadQemu.JobFiles;

/// <summary>
/// Reads typed settings out of one job-file block (job, group, task, ...), evaluating attributes on demand
/// and turning every type mismatch into a positioned error that names the block, e.g.
/// <c>job.nomad:12:5: task "vm": memory must be a whole number</c>.
/// </summary>
internal sealed class JobBodyReader(HclBody body, HclEvalContext context, string owner)
{
    public HclBody Body { get; } = body;

    public string Owner { get; } = owner;

    public static HclException ErrorAt(HclBody body, HclPosition position, string message) =>
        new(position, message, body.Source.LineText(position.Line));

    public static string SingleLabel(HclBlock block, string kind)
    {
        if (block.Labels.Count != 1)
        {
            throw new HclException(
                block.Position,
                $"a {kind} block needs exactly one label, like {kind} \"name\" {{ ... }}; this one has {block.Labels.Count}",
                block.Body.Source.LineText(block.Position.Line)
            );
        }
        return block.Labels[0];
    }

    public HclException Error(HclPosition position, string message) => ErrorAt(Body, position, $"{Owner}: {message}");

    public HclValue? Value(string name)
    {
        var attribute = Body.Attribute(name);
        if (attribute is null)
        {
            return null;
        }
        var value = attribute.Expression.Evaluate(context);
        return value is HclNull ? null : value;
    }

    public string? String(string name) =>
        Value(name) switch
        {
            null => null,
            var value => HclValueText.AsString(value) ?? throw Mismatch(name, "a string", value),
        };

    public string RequiredString(string name, HclPosition ownerPosition) =>
        String(name) ?? throw Error(ownerPosition, $"missing required attribute \"{name}\"");

    public int? Int(string name) =>
        Value(name) switch
        {
            null => null,
            HclNumber { Value: var n } when n == decimal.Truncate(n) && n is >= int.MinValue and <= int.MaxValue =>
                (int)n,
            HclString s when int.TryParse(s.Value, System.Globalization.CultureInfo.InvariantCulture, out var parsed) =>
                parsed,
            var value => throw Mismatch(name, "a whole number", value),
        };

    public int NonNegativeInt(string name, int fallback)
    {
        var value = Int(name) ?? fallback;
        return value >= 0 ? value : throw Mismatch(name, "zero or more", new HclNumber(value));
    }

    public IReadOnlyList<string>? StringList(string name) =>
        Value(name) switch
        {
            null => null,
            HclList list => list
                .Items.Select(item => HclValueText.AsString(item) ?? throw Mismatch(name, "a list of strings", list))
                .ToArray(),
            var value => throw Mismatch(name, "a list of strings", value),
        };

    public TimeSpan? Duration(string name) =>
        Value(name) switch
        {
            null => null,
            HclString s when GoDuration.TryParse(s.Value, out var duration) && duration >= TimeSpan.Zero => duration,
            var value => throw Mismatch(name, "a duration such as \"30s\" or \"1m30s\"", value),
        };

    /// <summary>
    /// A free-form map given as a block (<c>env { A = "1" }</c>) or an attribute (<c>env = { "a.b" = "1" }</c>);
    /// null when absent.
    /// </summary>
    public HclObject? ObjectAttributeOrBlock(string name)
    {
        var blocks = Blocks(name).ToList();
        var attribute = Body.Attribute(name);
        if (blocks.Count > 1 || (blocks.Count == 1 && attribute is not null))
        {
            var second = blocks.Count > 1 ? blocks[1].Position : blocks[0].Position;
            throw Error(second, $"only one \"{name}\" is allowed here");
        }
        if (blocks.Count == 1)
        {
            if (blocks[0].Labels.Count > 0)
            {
                throw Error(blocks[0].Position, $"a \"{name}\" block takes no labels");
            }
            RejectDynamic(blocks[0].Body, name);
            return blocks[0].Body.ToValue(context);
        }
        return Value(name) switch
        {
            null => null,
            HclObject obj => obj,
            var value => throw Mismatch(name, "a block or an object", value),
        };
    }

    /// <summary>A map of strings: values are converted the way Nomad stores env and meta (numbers and bools as text).</summary>
    public Dictionary<string, string>? StringMap(string name)
    {
        if (ObjectAttributeOrBlock(name) is not { } obj)
        {
            return null;
        }
        var map = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (key, value) in obj.Entries)
        {
            map[key] =
                HclValueText.AsString(value) ?? throw Mismatch($"{name}.{key}", "a string, number or bool", value);
        }
        return map;
    }

    public IEnumerable<HclBlock> Blocks(string type) => Body.BlocksOfType(type);

    /// <summary>Blocks that must be written as blocks: an attribute of that name is a structural mistake.</summary>
    public IEnumerable<HclBlock> StructuralBlocks(string type)
    {
        if (Body.Attribute(type) is { } attribute)
        {
            throw Error(attribute.Position, $"\"{type}\" must be a block ({type} {{ ... }}), not an attribute");
        }
        return Blocks(type);
    }

    public HclBlock? SingleStructuralBlock(string type)
    {
        var blocks = StructuralBlocks(type).ToList();
        if (blocks.Count > 1)
        {
            throw Error(
                blocks[1].Position,
                $"only one \"{type}\" block is allowed here (the first is at {blocks[0].Position})"
            );
        }
        if (blocks.Count == 1 && blocks[0].Labels.Count > 0)
        {
            throw Error(blocks[0].Position, $"a \"{type}\" block takes no labels");
        }
        return blocks.FirstOrDefault();
    }

    public JobBodyReader For(HclBlock block, string owner) => new(block.Body, context, owner);

    /// <summary>We do not expand <c>dynamic</c> blocks; silently ignoring one would drop what it generates.</summary>
    public void RejectDynamic(HclBody body, string where)
    {
        if (body.BlocksOfType("dynamic").FirstOrDefault() is { } dynamic)
        {
            throw Error(dynamic.Position, $"dynamic blocks are not supported (in {where}); write the blocks out");
        }
    }

    private HclException Mismatch(string name, string expected, HclValue value)
    {
        var position = Body.Attribute(name.Split('.')[0])?.Position ?? Body.Position;
        return Error(position, $"\"{name}\" must be {expected}, not {HclValueText.Render(value)}");
    }
}
