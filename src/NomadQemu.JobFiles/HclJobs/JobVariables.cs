using NomadQemu.JobFiles.Hcl;

namespace NomadQemu.JobFiles;

/// <summary>
/// Resolves a job file's <c>variable</c> and <c>locals</c> blocks into the <c>var</c> and <c>local</c> objects
/// that the job body is evaluated against. A variable's value comes, in Nomad's order, from the caller's
/// <c>-var</c> values, else a <c>NOMAD_VAR_name</c> environment variable, else its default.
/// </summary>
internal static class JobVariables
{
    public static void Resolve(
        HclBody file,
        HclEvalContext context,
        IReadOnlyDictionary<string, string> given,
        Func<string, string?> environment
    )
    {
        context.Variables["var"] = ResolveVariables(file, context, given, environment);
        context.Variables["local"] = ResolveLocals(file, context);
    }

    private static HclObject ResolveVariables(
        HclBody file,
        HclEvalContext context,
        IReadOnlyDictionary<string, string> given,
        Func<string, string?> environment
    )
    {
        // Defaults are constants in Nomad: they see functions but neither var.* nor local.*.
        var defaultsContext = new HclEvalContext(context.BaseDirectory) { ReadEnvironment = context.ReadEnvironment };
        var values = new List<KeyValuePair<string, HclValue>>();
        var declared = new Dictionary<string, HclBlock>(StringComparer.Ordinal);
        foreach (var block in file.BlocksOfType("variable"))
        {
            var name = JobBodyReader.SingleLabel(block, "variable");
            if (declared.TryGetValue(name, out var first))
            {
                throw JobBodyReader.ErrorAt(
                    block.Body,
                    block.Position,
                    $"variable \"{name}\" is declared twice (first at {first.Position})"
                );
            }
            declared[name] = block;
            var type = VariableType.Of(block.Body.Attribute("type"));
            HclValue value;
            var text = given.TryGetValue(name, out var givenText) ? givenText : environment("NOMAD_VAR_" + name);
            if (text is not null)
            {
                value = type.FromText(text, name, block);
            }
            else if (block.Body.Attribute("default") is { } defaultAttribute)
            {
                value = type.Convert(
                    defaultAttribute.Expression.Evaluate(defaultsContext),
                    defaultAttribute.Expression,
                    name
                );
            }
            else
            {
                throw JobBodyReader.ErrorAt(
                    block.Body,
                    block.Position,
                    $"variable \"{name}\" has no default and no value was given; pass one with -var {name}=VALUE"
                );
            }
            values.Add(new(name, value));
        }
        foreach (var name in given.Keys.Where(n => !declared.ContainsKey(n)).Order(StringComparer.Ordinal))
        {
            throw new HclException(
                new HclPosition(file.Source.Name, 0, 0),
                $"-var {name}: the job file declares no variable \"{name}\""
            );
        }
        return new HclObject(values);
    }

    /// <summary>Evaluates locals in dependency order, so a local may use any other regardless of where it is written.</summary>
    private static HclObject ResolveLocals(HclBody file, HclEvalContext context)
    {
        var pending = new Dictionary<string, HclAttribute>(StringComparer.Ordinal);
        foreach (var attribute in file.BlocksOfType("locals").SelectMany(b => b.Body.Attributes))
        {
            if (pending.TryGetValue(attribute.Name, out var first))
            {
                throw JobBodyReader.ErrorAt(
                    file,
                    attribute.Position,
                    $"local value \"{attribute.Name}\" is defined twice (first at {first.Position})"
                );
            }
            pending[attribute.Name] = attribute;
        }
        var done = new List<KeyValuePair<string, HclValue>>();
        while (pending.Count > 0)
        {
            var ready = pending.Values.FirstOrDefault(a =>
                LocalsUsedBy(a.Expression).All(n => !pending.ContainsKey(n) || n == a.Name)
            );
            if (ready is null)
            {
                var cycle = pending.Values.First();
                throw JobBodyReader.ErrorAt(
                    file,
                    cycle.Position,
                    $"local values refer to each other in a cycle: {string.Join(", ", pending.Keys.Select(k => "local." + k))}"
                );
            }
            context.Variables["local"] = new HclObject(done);
            done.Add(new(ready.Name, ready.Expression.Evaluate(context)));
            pending.Remove(ready.Name);
        }
        return new HclObject(done);
    }

    private static IEnumerable<string> LocalsUsedBy(HclExpression expression) =>
        expression
            .DescendantsAndSelf()
            .OfType<TraversalExpression>()
            .Where(t => t.RootName == "local" && t.Steps.Count > 0 && t.Steps[0] is AttributeStep)
            .Select(t => ((AttributeStep)t.Steps[0]).Name);
}
