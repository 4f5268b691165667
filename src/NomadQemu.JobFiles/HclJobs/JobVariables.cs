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
        var defaultsContext = new HclEvalContext(context.BaseDirectory)
        {
            ReadEnvironment = context.ReadEnvironment,
            Budget = context.Budget,
        };
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

    /// <summary>
    /// Evaluates locals in dependency order, so a local may use any other regardless of where it is written.
    /// A topological sort (Kahn's), ready locals taken in source order: linear in the number of references,
    /// because a file may hold tens of thousands of locals.
    /// </summary>
    private static HclObject ResolveLocals(HclBody file, HclEvalContext context)
    {
        var locals = new List<HclAttribute>();
        var indexOf = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var attribute in file.BlocksOfType("locals").SelectMany(b => b.Body.Attributes))
        {
            if (indexOf.TryGetValue(attribute.Name, out var first))
            {
                throw JobBodyReader.ErrorAt(
                    file,
                    attribute.Position,
                    $"local value \"{attribute.Name}\" is defined twice (first at {locals[first].Position})"
                );
            }
            indexOf[attribute.Name] = locals.Count;
            locals.Add(attribute);
        }
        // A local's own name among its references is not an edge: evaluating it reports "undefined".
        var uses = locals
            .Select(local =>
                LocalsUsedBy(local.Expression)
                    .Where(name => name != local.Name && indexOf.ContainsKey(name))
                    .Distinct(StringComparer.Ordinal)
                    .Select(name => indexOf[name])
                    .ToArray()
            )
            .ToArray();
        var waitingOn = uses.Select(u => u.Length).ToArray();
        var usedBy = locals.Select(_ => new List<int>()).ToArray();
        for (var i = 0; i < locals.Count; i++)
        {
            foreach (var used in uses[i])
            {
                usedBy[used].Add(i);
            }
        }
        var ready = new SortedSet<int>(Enumerable.Range(0, locals.Count).Where(i => waitingOn[i] == 0));
        var values = new HclValue?[locals.Count];
        var done = 0;
        while (ready.Count > 0)
        {
            var next = ready.Min;
            ready.Remove(next);
            // The local sees exactly the locals it names, so each step costs its own size, not the file's.
            context.Variables["local"] = new HclObject(
                uses[next].Select(u => new KeyValuePair<string, HclValue>(locals[u].Name, values[u]!))
            );
            values[next] = locals[next].Expression.Evaluate(context);
            done++;
            foreach (var user in usedBy[next])
            {
                if (--waitingOn[user] == 0)
                {
                    ready.Add(user);
                }
            }
        }
        if (done < locals.Count)
        {
            var stuck = Enumerable.Range(0, locals.Count).Where(i => values[i] is null).ToList();
            throw JobBodyReader.ErrorAt(
                file,
                locals[stuck[0]].Position,
                $"local values refer to each other in a cycle: {string.Join(", ", stuck.Take(20).Select(i => "local." + locals[i].Name))}{(stuck.Count > 20 ? $" and {stuck.Count - 20} more" : "")}"
            );
        }
        // Source order, as written; the evaluation order above is only what dependencies force.
        return new HclObject(locals.Select((local, i) => new KeyValuePair<string, HclValue>(local.Name, values[i]!)));
    }

    private static IEnumerable<string> LocalsUsedBy(HclExpression expression) =>
        expression
            .DescendantsAndSelf()
            .OfType<TraversalExpression>()
            .Where(t => t.RootName == "local" && t.Steps.Count > 0 && t.Steps[0] is AttributeStep)
            .Select(t => ((AttributeStep)t.Steps[0]).Name);
}
