namespace NomadQemu.Driver.WarmStart;

/// <summary>
/// The operator's view of the warm-start template cache under a state dir (the <c>templates</c> command):
/// list what is stored, drop templates by key, by a unique key prefix (the 12 characters events show), or all.
/// </summary>
public static class TemplateCache
{
    /// <summary>The plugin's state dir when its config sets no <c>state_dir</c>.</summary>
    public static string PluginDefaultStateDir() => Supervision.TaskLedger.DefaultStateDir();

    /// <summary>Where the templates of a state dir live: the one place the layout is named.</summary>
    public static string RootIn(string stateDir) => Path.Combine(stateDir, "templates");

    /// <summary>Every complete template, most recently used first.</summary>
    public static IReadOnlyList<TemplateSummary> List(string stateDir) =>
        [
            .. new TemplateStore(RootIn(stateDir))
                .List()
                .Select(t => new TemplateSummary(
                    t.Key,
                    t.MemoryMb,
                    t.StoredBytes,
                    t.StateBytes,
                    t.Created,
                    t.LastUsed,
                    t.BuildMs
                )),
        ];

    /// <summary>
    /// Drops the templates <paramref name="keysOrPrefixes"/> name (each must match exactly one stored key), or all
    /// of them. Running clones keep their opened files; the next start of a dropped key builds it again.
    /// </summary>
    /// <returns>The keys dropped.</returns>
    /// <exception cref="ArgumentException">A name matches no template, or more than one.</exception>
    public static IReadOnlyList<string> Drop(string stateDir, IReadOnlyCollection<string> keysOrPrefixes, bool all)
    {
        var store = new TemplateStore(RootIn(stateDir));
        var stored = store.List().Select(t => t.Key).ToList();
        List<string> doomed;
        if (all)
        {
            doomed = stored;
        }
        else
        {
            doomed = [];
            foreach (var name in keysOrPrefixes)
            {
                var matches = stored.Where(k => k.StartsWith(name, StringComparison.Ordinal)).ToList();
                doomed.Add(
                    matches.Count switch
                    {
                        _ when name.Length == 0 => throw new ArgumentException("an empty template key"),
                        0 => throw new ArgumentException($"no template with key {name}"),
                        1 => matches[0],
                        _ => throw new ArgumentException(
                            $"{name} is the start of {matches.Count} template keys; give more of it"
                        ),
                    }
                );
            }
        }
        return [.. doomed.Distinct().Where(store.Drop)];
    }
}

/// <summary>What <c>templates list</c> shows of one template.</summary>
/// <param name="StoredBytes">Bytes on disk: RAM the guest never wrote is not stored.</param>
public sealed record TemplateSummary(
    string Key,
    long MemoryMb,
    long StoredBytes,
    long StateBytes,
    DateTimeOffset Created,
    DateTimeOffset LastUsed,
    long BuildMs
);
