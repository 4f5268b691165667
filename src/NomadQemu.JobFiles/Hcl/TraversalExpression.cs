namespace NomadQemu.JobFiles.Hcl;

internal abstract record TraversalStep(int Start);

/// <summary><c>.name</c>.</summary>
internal sealed record AttributeStep(int Start, string Name) : TraversalStep(Start);

/// <summary><c>[key]</c>, or the legacy <c>.0</c> form.</summary>
internal sealed record IndexStep(int Start, HclExpression Key) : TraversalStep(Start);

/// <summary>
/// A variable reference (<c>var.x</c>, <c>local.y[0]</c>) or attribute/index access on any expression
/// (<c>f(x).a</c>). A reference whose root the context does not know is a run-time reference for Nomad's
/// client (<c>NOMAD_TASK_DIR</c>, <c>attr.kernel.name</c>, <c>env["X"]</c>): it evaluates to its own text
/// wrapped as <c>${...}</c>, just as Nomad's HCL2 job parser leaves it for the client to fill in.
/// </summary>
internal sealed class TraversalExpression(
    SourceFile source,
    int start,
    int end,
    HclExpression? subject,
    string? rootName,
    IReadOnlyList<TraversalStep> steps
) : HclExpression(source, start, end)
{
    /// <summary>Roots that always mean job-file variables; using them where they are not available is an error.</summary>
    private static readonly string[] s_reservedRoots = ["var", "local"];

    public string? RootName { get; } = rootName;

    public IReadOnlyList<TraversalStep> Steps { get; } = steps;

    internal override IEnumerable<HclExpression> Children =>
        Steps.OfType<IndexStep>().Select(s => s.Key).Concat(subject is null ? [] : [subject]);

    private protected override HclValue Compute(HclEvalContext context)
    {
        HclValue current;
        string path;
        if (subject is not null)
        {
            current = subject.Eval(context);
            path = "the value";
        }
        else if (context.Variables.TryGetValue(RootName!, out var rootValue))
        {
            current = rootValue;
            path = RootName!;
        }
        else if (s_reservedRoots.Contains(RootName) || !context.KeepUnknownReferences)
        {
            throw Error(
                s_reservedRoots.Contains(RootName)
                    ? $"\"{RootName}.*\" values cannot be used here"
                    : $"unknown variable \"{RootName}\""
            );
        }
        else
        {
            return new HclString("${" + SourceText + "}");
        }

        foreach (var step in Steps)
        {
            current = Apply(step, current, path, context);
            path = step is AttributeStep a ? $"{path}.{a.Name}" : $"{path}[...]";
        }
        return current;
    }

    private HclValue Apply(TraversalStep step, HclValue current, string path, HclEvalContext context)
    {
        switch (step)
        {
            case AttributeStep attribute when current is HclObject obj:
                if (obj.TryGetValue(attribute.Name, out var found))
                {
                    return found;
                }
                // An undefined var.x / local.x points at the whole reference; a deeper miss points at the step.
                throw path is "var" or "local"
                    ? Error($"undefined {(path == "var" ? "variable" : "local value")} \"{path}.{attribute.Name}\"")
                    : Source.Error(step.Start, $"{path} has no attribute \"{attribute.Name}\"");
            case AttributeStep attribute:
                throw Source.Error(
                    step.Start,
                    $"cannot read attribute \"{attribute.Name}\" of {path}: it is a {current.TypeName}"
                );
            case IndexStep index:
                return ApplyIndex(index, current, path, context);
            default:
                throw Source.Error(step.Start, "unsupported traversal step");
        }
    }

    private HclValue ApplyIndex(IndexStep step, HclValue current, string path, HclEvalContext context)
    {
        var key = step.Key.Eval(context);
        switch (current)
        {
            case HclList list:
                var number = key switch
                {
                    HclNumber n => n.Value,
                    HclString s
                        when decimal.TryParse(
                            s.Value,
                            System.Globalization.CultureInfo.InvariantCulture,
                            out var parsed
                        ) => parsed,
                    _ => throw step.Key.Error($"a list index must be a number, not {key.TypeName}"),
                };
                if (number != decimal.Truncate(number) || number < 0 || number >= list.Count)
                {
                    throw step.Key.Error(
                        $"index {HclValueText.Render(key)} is out of range for {path} (length {list.Count})"
                    );
                }
                return list[(int)number];
            case HclObject obj:
                var name = key is HclString or HclNumber or HclBool
                    ? HclValueText.AsString(key)!
                    : throw step.Key.Error($"an object key must be a string, not {key.TypeName}");
                return obj.TryGetValue(name, out var value)
                    ? value
                    : throw step.Key.Error($"{path} has no key {HclValueText.Quote(name)}");
            default:
                throw Source.Error(step.Start, $"cannot index {path}: it is a {current.TypeName}");
        }
    }
}
