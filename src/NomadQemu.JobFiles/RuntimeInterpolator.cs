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

    /// <summary>Interpolates every string inside a value tree (e.g. a task's config), keeping its shape.</summary>
    public static HclValue Interpolate(HclValue value, IReadOnlyDictionary<string, string> taskEnv) =>
        value switch
        {
            HclString s => new HclString(Interpolate(s.Value, taskEnv)),
            HclList list => new HclList(list.Items.Select(item => Interpolate(item, taskEnv)).ToArray()),
            HclObject obj => new HclObject(
                obj.Entries.Select(e => new KeyValuePair<string, HclValue>(e.Key, Interpolate(e.Value, taskEnv)))
            ),
            _ => value,
        };

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
