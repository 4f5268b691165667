using System.Globalization;
using NomadQemu.Driver.WarmStart;

namespace NomadQemu.Driver;

/// <summary>Warm starts, cache side: the size bound on stored templates, least recently used out first.</summary>
public sealed partial class QemuDriver
{
    /// <summary>Drops the least recently used templates (never <paramref name="keep"/>) until the store fits the bound.</summary>
    /// <returns>Event text naming what was evicted ("" when nothing).</returns>
    private string EvictTemplates(TemplateStore store, string keep)
    {
        var bound = _config.WarmStartCacheMaxBytes;
        var templates = store.List();
        var total = templates.Sum(t => t.StoredBytes);
        List<string> evicted = [];
        foreach (var template in templates.Where(t => t.Key != keep).OrderBy(t => t.LastUsed))
        {
            if (total <= bound)
            {
                break;
            }
            DropTemplate(store, template.Key);
            total -= template.StoredBytes;
            evicted.Add(template.Key[..12]);
        }
        store.SweepBuilds(keep: null);
        return evicted.Count == 0
            ? ""
            : string.Create(
                CultureInfo.InvariantCulture,
                $"; evicted {string.Join(", ", evicted)} (cache bound {bound / MiB} MiB)"
            );
    }
}
