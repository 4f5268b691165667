using System.Text.Json;

namespace NomadQemu.Core.Validation.Args;

/// <summary>
/// Reads an option value the way QEMU will: QemuOpts/keyval text (<c>,,</c> is a literal comma, a bare first
/// element is the implied key, a bare later element is a flag and <c>noX</c> means <c>X=off</c>) or a JSON object.
/// </summary>
internal static class QemuOptionValueParser
{
    /// <exception cref="FormatException">JSON that does not parse to an object.</exception>
    public static QemuOptionValue Parse(string value, QemuValueRules rules) =>
        rules.Syntax switch
        {
            QemuValueSyntax.DeviceSpec => ParseDeviceSpec(value),
            QemuValueSyntax.Global => ParseGlobal(value),
            _ => value.TrimStart().StartsWith('{')
                ? ParseJson(value, rules.ImpliedKey)
                : ParseKeyValue(value, rules.ImpliedKey),
        };

    private static QemuOptionValue ParseKeyValue(string value, string? impliedKey)
    {
        List<string> types = [];
        List<KeyValuePair<string, string>> properties = [];
        var first = true;
        foreach (var element in SplitElements(value))
        {
            var equals = element.IndexOf('=', StringComparison.Ordinal);
            if (equals < 0)
            {
                if (first && impliedKey is not null)
                {
                    properties.Add(new(impliedKey, element));
                }
                else
                {
                    // A bare flag is key=on; QEMU's legacy "noX" is X=off: judge both names.
                    properties.Add(new(element, "on"));
                    if (element.StartsWith("no", StringComparison.Ordinal) && element.Length > 2)
                    {
                        properties.Add(new(element[2..], "off"));
                    }
                }
            }
            else
            {
                properties.Add(new(element[..equals], element[(equals + 1)..]));
            }
            first = false;
        }
        var typeGiven = CollectTypes(properties, impliedKey, types);
        return new QemuOptionValue(types, properties, typeGiven);
    }

    /// <summary>Splits at single commas; <c>,,</c> stays as one literal comma.</summary>
    public static List<string> SplitElements(string value)
    {
        List<string> elements = [];
        var current = new System.Text.StringBuilder();
        for (var i = 0; i < value.Length; i++)
        {
            if (value[i] != ',')
            {
                current.Append(value[i]);
            }
            else if (i + 1 < value.Length && value[i + 1] == ',')
            {
                current.Append(',');
                i++;
            }
            else
            {
                elements.Add(current.ToString());
                current.Clear();
            }
        }
        elements.Add(current.ToString());
        return elements;
    }

    private static QemuOptionValue ParseJson(string value, string? impliedKey)
    {
        List<KeyValuePair<string, string>> properties = [];
        try
        {
            using var document = JsonDocument.Parse(value, new JsonDocumentOptions { MaxDepth = 32 });
            if (document.RootElement.ValueKind != JsonValueKind.Object)
            {
                throw new FormatException("a JSON value must be an object");
            }
            Flatten(document.RootElement, "", properties);
        }
        catch (JsonException e)
        {
            throw new FormatException($"is not valid JSON (at byte {e.BytePositionInLine} of line {e.LineNumber})", e);
        }
        List<string> types = [];
        var typeGiven = CollectTypes(properties, impliedKey, types);
        return new QemuOptionValue(types, properties, typeGiven);
    }

    private static void Flatten(JsonElement element, string prefix, List<KeyValuePair<string, string>> properties)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.Object:
                foreach (var member in element.EnumerateObject())
                {
                    Flatten(member.Value, prefix.Length == 0 ? member.Name : $"{prefix}.{member.Name}", properties);
                }
                break;
            case JsonValueKind.Array:
                var index = 0;
                foreach (var item in element.EnumerateArray())
                {
                    Flatten(item, $"{prefix}.{index++}", properties);
                }
                break;
            case JsonValueKind.String:
                properties.Add(new(prefix, element.GetString() ?? ""));
                break;
            default:
                properties.Add(new(prefix, element.GetRawText()));
                break;
        }
    }

    private static bool CollectTypes(
        List<KeyValuePair<string, string>> properties,
        string? impliedKey,
        List<string> types
    )
    {
        if (impliedKey is null)
        {
            return true;
        }
        foreach (var (key, value) in properties)
        {
            if (QemuValueRules.NormalizePropertyName(key) == impliedKey)
            {
                types.Add(value);
            }
        }
        if (types.Count > 0)
        {
            return true;
        }

        // No type given: judge the first key as the type. QEMU reads some such values as a type ("-display vnc=:0"
        // is the VNC display); for the others it is at worst an unknown type, judged by the option's other-types rule.
        types.Add(properties.Count > 0 ? properties[0].Key : "");
        return false;
    }

    private static QemuOptionValue ParseGlobal(string value)
    {
        var equals = value.IndexOf('=', StringComparison.Ordinal);
        var dot = value.IndexOf('.', StringComparison.Ordinal);
        if (dot >= 0 && (equals < 0 || dot < equals))
        {
            // driver.property=value
            var property = equals < 0 ? value[(dot + 1)..] : value[(dot + 1)..equals];
            var propertyValue = equals < 0 ? "" : value[(equals + 1)..];
            return new QemuOptionValue([value[..dot]], [new("driver", value[..dot]), new(property, propertyValue)]);
        }

        // driver=d,property=p,value=v: judge p as a property of driver d.
        var parsed = ParseKeyValue(value, null);
        List<string> types = [];
        List<KeyValuePair<string, string>> properties = [.. parsed.Properties];
        var globalValue = parsed.Properties.LastOrDefault(p => p.Key == "value").Value ?? "";
        foreach (var (key, v) in parsed.Properties)
        {
            if (key == "driver")
            {
                types.Add(v);
            }
            else if (key == "property")
            {
                properties.Add(new(v, globalValue));
            }
        }
        return new QemuOptionValue(types, properties);
    }

    private static QemuOptionValue ParseDeviceSpec(string value)
    {
        // "/dev/ttyS0" and "COM1" have no prefix; "file:/x", "chardev:id", "mon:stdio" do.
        var colon = value.IndexOf(':', StringComparison.Ordinal);
        if (value.StartsWith('/') || colon < 0)
        {
            return new QemuOptionValue([value], []);
        }
        var type = value[..colon];
        var rest = value[(colon + 1)..];
        return new QemuOptionValue([type], type == "chardev" ? [new("chardev", rest)] : []);
    }
}
