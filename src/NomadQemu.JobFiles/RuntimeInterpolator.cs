using System.Text;
using NomadQemu.JobFiles.Hcl;

namespace NomadQemu.JobFiles;

/// <summary>
/// Fills in the <c>${...}</c> references that the job parser left for run time, as a Nomad client does when it
/// starts a task: <c>${NOMAD_TASK_DIR}</c>, <c>${env["X"]}</c>, and any <c>${X}</c> whose name is in the task
/// environment (so a caller may also supply names such as <c>attr.kernel.name</c> or <c>meta.rack</c>).
/// A reference whose name is unknown is left exactly as written.
/// </summary>
public static class RuntimeInterpolator
{
    public static string Interpolate(string text, IReadOnlyDictionary<string, string> taskEnv)
    {
        ArgumentNullException.ThrowIfNull(text);
        ArgumentNullException.ThrowIfNull(taskEnv);
        var output = new StringBuilder(text.Length);
        var i = 0;
        while (i < text.Length)
        {
            var open = text.IndexOf("${", i, StringComparison.Ordinal);
            var close = open < 0 ? -1 : text.IndexOf('}', open + 2);
            if (open < 0 || close < 0)
            {
                output.Append(text, i, text.Length - i);
                break;
            }
            output.Append(text, i, open - i);
            var name = ReferencedName(text[(open + 2)..close].Trim());
            if (name is not null && taskEnv.TryGetValue(name, out var value))
            {
                output.Append(value);
            }
            else
            {
                output.Append(text, open, close + 1 - open);
            }
            i = close + 1;
        }
        return output.ToString();
    }

    /// <summary>
    /// Interpolates every string inside a value tree (e.g. a task's config), keeping its shape. A part the
    /// tree shares (locals that refer to each other do that) is interpolated once and stays shared, and a part
    /// with nothing to fill in is returned as it is: copying shared parts out would turn a value built by
    /// doubling into gigabytes.
    /// </summary>
    public static HclValue Interpolate(HclValue value, IReadOnlyDictionary<string, string> taskEnv)
    {
        ArgumentNullException.ThrowIfNull(value);
        ArgumentNullException.ThrowIfNull(taskEnv);
        return Interpolate(value, taskEnv, new Dictionary<HclValue, HclValue>(ReferenceEqualityComparer.Instance));
    }

    private static HclValue Interpolate(
        HclValue value,
        IReadOnlyDictionary<string, string> taskEnv,
        Dictionary<HclValue, HclValue> done
    )
    {
        if (value is not (HclString or HclList or HclObject))
        {
            return value;
        }
        if (done.TryGetValue(value, out var earlier))
        {
            return earlier;
        }
        var result = value switch
        {
            HclString s => s.Value.Contains("${", StringComparison.Ordinal)
                ? new HclString(Interpolate(s.Value, taskEnv))
                : s,
            HclList list => Rebuilt(list, list.Items.Select(item => Interpolate(item, taskEnv, done)).ToArray()),
            HclObject obj => Rebuilt(
                obj,
                obj.Entries.Select(e => new KeyValuePair<string, HclValue>(e.Key, Interpolate(e.Value, taskEnv, done)))
                    .ToArray()
            ),
            _ => value,
        };
        done[value] = result;
        return result;
    }

    private static HclList Rebuilt(HclList original, HclValue[] items) =>
        items.Where((item, i) => !ReferenceEquals(item, original.Items[i])).Any() ? new HclList(items) : original;

    private static HclObject Rebuilt(HclObject original, KeyValuePair<string, HclValue>[] entries) =>
        entries.Where((entry, i) => !ReferenceEquals(entry.Value, original.Entries[i].Value)).Any()
            ? new HclObject(entries)
            : original;

    /// <summary>The environment name a reference reads: <c>env["X"]</c> → X; a plain name → itself.</summary>
    private static string? ReferencedName(string reference)
    {
        const string envPrefix = "env[\"";
        if (
            reference.StartsWith(envPrefix, StringComparison.Ordinal)
            && reference.EndsWith("\"]", StringComparison.Ordinal)
        )
        {
            return reference[envPrefix.Length..^2];
        }
        return reference.Length > 0 && reference.All(c => char.IsLetterOrDigit(c) || c is '_' or '.' or '-')
            ? reference
            : null;
    }
}
