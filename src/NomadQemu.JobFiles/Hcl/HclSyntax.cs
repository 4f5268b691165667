namespace NomadQemu.JobFiles.Hcl;

/// <summary>
/// A body: the inside of a file or of a block. Attributes and blocks keep source order;
/// attribute names are unique within one body (the parser rejects duplicates).
/// </summary>
public sealed class HclBody
{
    private readonly Dictionary<string, HclAttribute> _attributesByName;

    internal HclBody(
        SourceFile source,
        int start,
        IReadOnlyList<HclAttribute> attributes,
        IReadOnlyList<HclBlock> blocks
    )
    {
        Source = source;
        Attributes = attributes;
        // Names are unique (the parser refuses duplicates); a map keeps lookups O(1) in bodies with many attributes.
        _attributesByName = attributes.ToDictionary(a => a.Name, StringComparer.Ordinal);
        Blocks = blocks;
        Position = source.PositionOf(start);
        StartOffset = start;
    }

    public IReadOnlyList<HclAttribute> Attributes { get; }

    public IReadOnlyList<HclBlock> Blocks { get; }

    /// <summary>Where the body starts: the opening brace of a block, or 1:1 for a file.</summary>
    public HclPosition Position { get; }

    internal SourceFile Source { get; }

    internal int StartOffset { get; }

    public HclAttribute? Attribute(string name) => _attributesByName.GetValueOrDefault(name);

    public IEnumerable<HclBlock> BlocksOfType(string type) => Blocks.Where(b => b.Type == type);

    /// <summary>
    /// Converts the whole body to an object value the way Nomad's API represents free-form blocks
    /// (a task's <c>config</c>): attributes become keys; nested blocks become a list of objects under the
    /// block type, one per block. A labelled block nests its body under its labels, as HCL's JSON form does.
    /// </summary>
    public HclObject ToValue(HclEvalContext context)
    {
        var entries = new List<KeyValuePair<string, HclValue>>();
        foreach (var attribute in Attributes)
        {
            entries.Add(new(attribute.Name, attribute.Expression.Evaluate(context)));
        }
        foreach (var group in Blocks.GroupBy(b => b.Type))
        {
            if (Attribute(group.Key) is { } clash)
            {
                throw Source.Error(
                    group.First().StartOffset,
                    $"\"{group.Key}\" is both an attribute (at {clash.Position}) and a block here; use one form"
                );
            }
            var items = group
                .Select(block =>
                {
                    HclValue value = block.Body.ToValue(context);
                    for (var i = block.Labels.Count - 1; i >= 0; i--)
                    {
                        value = new HclObject([new(block.Labels[i], value)]);
                    }
                    return value;
                })
                .ToArray();
            entries.Add(new(group.Key, new HclList(items)));
        }
        var value = new HclObject(entries);
        // Attribute values were checked as they were evaluated; blocks around them add depth and size.
        HclValueLimits.Check(value, Source, StartOffset);
        return value;
    }
}

/// <summary>An attribute: <c>name = expression</c>.</summary>
public sealed class HclAttribute
{
    internal HclAttribute(string name, HclExpression expression, HclPosition position)
    {
        Name = name;
        Expression = expression;
        Position = position;
    }

    public string Name { get; }

    public HclExpression Expression { get; }

    /// <summary>Where the attribute name starts.</summary>
    public HclPosition Position { get; }
}

/// <summary>A block: <c>type "label" label2 { body }</c>.</summary>
public sealed class HclBlock
{
    internal HclBlock(
        string type,
        IReadOnlyList<string> labels,
        IReadOnlyList<HclPosition> labelPositions,
        HclBody body,
        HclPosition position,
        int startOffset
    )
    {
        Type = type;
        Labels = labels;
        LabelPositions = labelPositions;
        Body = body;
        Position = position;
        StartOffset = startOffset;
    }

    public string Type { get; }

    public IReadOnlyList<string> Labels { get; }

    public IReadOnlyList<HclPosition> LabelPositions { get; }

    public HclBody Body { get; }

    /// <summary>Where the block type word starts.</summary>
    public HclPosition Position { get; }

    internal int StartOffset { get; }
}
