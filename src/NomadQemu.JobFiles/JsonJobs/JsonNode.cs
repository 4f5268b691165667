using System.Text.Json;
using NomadQemu.JobFiles.Hcl;

namespace NomadQemu.JobFiles;

/// <summary>A JSON value plus its path, so errors can point at it. Property names match case-insensitively, as Nomad's API does.</summary>
internal readonly record struct JsonNode(JsonElement Element, string Path)
{
    /// <summary>The named property, or null when it is missing or JSON null.</summary>
    public JsonNode? Get(string name)
    {
        if (Element.ValueKind != JsonValueKind.Object)
        {
            return null;
        }
        foreach (var property in Element.EnumerateObject())
        {
            if (string.Equals(property.Name, name, StringComparison.OrdinalIgnoreCase))
            {
                return property.Value.ValueKind == JsonValueKind.Null
                    ? null
                    : new JsonNode(property.Value, $"{Path}/{property.Name}");
            }
        }
        return null;
    }

    public IEnumerable<JsonNode> Items()
    {
        var path = Path;
        return Element.EnumerateArray().Select((item, index) => new JsonNode(item, $"{path}/{index}"));
    }

    /// <summary>Converts any JSON value to the HCL value tree (used for a task's free-form Config).</summary>
    public static HclValue ToValue(JsonElement element) =>
        element.ValueKind switch
        {
            JsonValueKind.Object => new HclObject(
                element.EnumerateObject().Select(p => new KeyValuePair<string, HclValue>(p.Name, ToValue(p.Value)))
            ),
            JsonValueKind.Array => new HclList(element.EnumerateArray().Select(ToValue).ToArray()),
            JsonValueKind.String => new HclString(element.GetString()!),
            JsonValueKind.Number => NumberText.TryParse(element.GetRawText(), out var number)
                ? new HclNumber(number)
                : throw new FormatException($"number {element.GetRawText()} is too large"),
            JsonValueKind.True => HclValue.True,
            JsonValueKind.False => HclValue.False,
            _ => HclValue.Null,
        };
}
