using System.Collections;
using System.Globalization;
using System.Numerics;
using System.Text.Json;
using NomadQemu.Core.Config;

namespace NomadQemu.Core.Cty;

/// <summary>
/// Turns a generic value tree (what a job-file parser produces) into <see cref="CtyValue"/>. Shapes only:
/// schema-directed conversion is <see cref="ConfigCoercion"/>'s job.
/// </summary>
internal static class CtyPlain
{
    public static CtyValue Convert(object? value) => Convert(value, depth: 0);

    private static CtyValue Convert(object? value, int depth)
    {
        if (depth > CtyLimits.MaxDepth)
        {
            throw new ConfigException(null, $"config is nested more than {CtyLimits.MaxDepth} levels deep");
        }

        return value switch
        {
            null => CtyValue.Null,
            CtyValue cty => cty,
            string s => new CtyString(s),
            bool b => b ? CtyBool.True : CtyBool.False,
            sbyte or byte or short or ushort or int or uint or long => CtyNumber.FromInt64(
                System.Convert.ToInt64(value, CultureInfo.InvariantCulture)
            ),
            ulong u => CtyNumber.FromBigInteger(u),
            BigInteger big => CtyNumber.FromBigInteger(big),
            // A job author who writes 0.1 means 0.1, not the nearest double: go through the shortest round-trip text.
            double d => FromText(d.ToString("R", CultureInfo.InvariantCulture)),
            float f => FromText(f.ToString("R", CultureInfo.InvariantCulture)),
            decimal m => FromText(m.ToString(CultureInfo.InvariantCulture)),
            JsonElement json => FromJson(json, depth),
            IEnumerable<KeyValuePair<string, object?>> map => new CtyMap(
                map.Select(e => KeyValuePair.Create(e.Key, Convert(e.Value, depth + 1)))
            ),
            IDictionary map => FromDictionary(map, depth),
            IEnumerable list => new CtyList([.. list.Cast<object?>().Select(item => Convert(item, depth + 1))]),
            _ => throw new ArgumentException(
                $"cannot convert a {value.GetType().Name} to a config value",
                nameof(value)
            ),
        };
    }

    private static CtyNumber FromText(string text) =>
        CtyNumber.TryParse(text, out var number)
            ? number
            : throw new ConfigException(null, $"config contains a number that is not finite ({text})");

    private static CtyMap FromDictionary(IDictionary map, int depth)
    {
        List<KeyValuePair<string, CtyValue>> entries = [];
        foreach (DictionaryEntry entry in map)
        {
            if (entry.Key is not string key)
            {
                throw new ConfigException(null, $"config map keys must be strings, got {entry.Key.GetType().Name}");
            }

            entries.Add(KeyValuePair.Create(key, Convert(entry.Value, depth + 1)));
        }

        return new CtyMap(entries);
    }

    private static CtyValue FromJson(JsonElement json, int depth) =>
        json.ValueKind switch
        {
            JsonValueKind.Null or JsonValueKind.Undefined => CtyValue.Null,
            JsonValueKind.String => new CtyString(json.GetString()!),
            JsonValueKind.True => CtyBool.True,
            JsonValueKind.False => CtyBool.False,
            // The raw text keeps the number exact, as HCL's JSON parser does.
            JsonValueKind.Number => FromText(json.GetRawText()),
            JsonValueKind.Array => new CtyList([.. json.EnumerateArray().Select(item => Convert(item, depth + 1))]),
            _ => new CtyMap(
                json.EnumerateObject().Select(p => KeyValuePair.Create(p.Name, Convert(p.Value, depth + 1)))
            ),
        };
}
