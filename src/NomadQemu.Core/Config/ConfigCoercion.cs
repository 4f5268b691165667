using NomadQemu.Core.Config.Schema;
using NomadQemu.Core.Cty;

namespace NomadQemu.Core.Config;

/// <summary>
/// Schema-directed conversion, doing for a raw value tree what Nomad's <c>hcldec.Decode</c> does before it
/// encodes a config: every schema key present (absent → null or the default), values converted to the
/// attribute's type (a number written as <c>"80"</c>, a <c>port_map</c> written as one map), unknown keys refused.
/// </summary>
public static class ConfigCoercion
{
    /// <summary>
    /// Coerces <paramref name="raw"/> (a map, or null for "no config") to <paramref name="schema"/>.
    /// The result has every schema key, in bytewise-sorted order like Nomad's object encoding.
    /// </summary>
    /// <exception cref="ConfigException">An unknown key, a missing required key or a value of the wrong type.</exception>
    public static CtyMap Coerce(CtyValue raw, ObjectSchema schema) => Coerce(raw, schema, unknownKeys: null);

    /// <summary>
    /// As <see cref="Coerce(CtyValue, ObjectSchema)"/>, but when <paramref name="unknownKeys"/> is given unknown keys
    /// are collected there instead of refused (Nomad validated the keys before encoding; we keep the rest for diagnostics).
    /// </summary>
    internal static CtyMap Coerce(CtyValue raw, ObjectSchema schema, IDictionary<string, CtyValue>? unknownKeys) =>
        CoerceObject(raw, schema, unknownKeys, prefix: "");

    /// <param name="prefix">Where the object sits (<c>""</c>, <c>"cloud_init."</c>, <c>"disk[1]."</c>): keys in errors are full paths.</param>
    private static CtyMap CoerceObject(
        CtyValue raw,
        ObjectSchema schema,
        IDictionary<string, CtyValue>? unknownKeys,
        string prefix
    )
    {
        var input = raw switch
        {
            CtyNull => CtyMap.Empty,
            CtyMap map => map,
            _ when prefix.Length == 0 => throw new ConfigException(
                null,
                $"config must be a map of keys to values, got {raw.Description}"
            ),
            _ => throw ConfigException.ForKey(prefix.TrimEnd('.'), $"expected a block, got {raw.Description}"),
        };

        var inputNameToKey = schema.Attributes.ToDictionary(
            a => InputName(a.Key, a.Value),
            a => a.Key,
            StringComparer.Ordinal
        );
        foreach ((var key, var value) in input.Entries)
        {
            if (inputNameToKey.ContainsKey(key))
            {
                continue;
            }

            if (unknownKeys is null)
            {
                var known = string.Join(", ", inputNameToKey.Keys.Order(StringComparer.Ordinal));
                throw new ConfigException(
                    prefix + key,
                    $"unknown config key \"{prefix}{key}\"; known keys{(prefix.Length > 0 ? " in " + prefix.TrimEnd('.') : "")}: {known}"
                );
            }

            unknownKeys[key] = value;
        }

        List<KeyValuePair<string, CtyValue>> output = [];
        foreach ((var key, var node) in schema.Attributes.OrderBy(a => a.Key, StringComparer.Ordinal))
        {
            output.Add(KeyValuePair.Create(key, CoerceAttribute(prefix + key, node, input[InputName(key, node)])));
        }

        return new CtyMap(output);
    }

    private static string InputName(string objectKey, SchemaNode node) =>
        node switch
        {
            AttrSchema { Name.Length: > 0 } attr => attr.Name,
            DefaultSchema { Primary: AttrSchema { Name.Length: > 0 } attr } => attr.Name,
            BlockSchema { Name.Length: > 0 } block => block.Name,
            BlockListSchema { Name.Length: > 0 } blocks => blocks.Name,
            _ => objectKey,
        };

    private static CtyValue CoerceAttribute(string key, SchemaNode node, CtyValue value)
    {
        switch (node)
        {
            case AttrSchema attr:
                if (value.IsNull && attr.Required)
                {
                    throw new ConfigException(key, $"config key \"{key}\" is required");
                }

                return ConvertTo(value, HclType.Parse(attr.Type), key, path: "");
            case DefaultSchema { Primary: AttrSchema attr } withDefault:
                // Defaults apply both when Nomad sent the literal and when the key arrives as nil (older clients, RecoverTask).
                var effective = value.IsNull ? HclLiteral.Parse(withDefault.LiteralHcl) : value;
                return CoerceAttribute(key, attr, effective);
            case BlockSchema block:
                return CoerceBlock(key, block, value);
            case BlockListSchema blocks:
                return CoerceBlockList(key, blocks, value);
            default:
                throw new ArgumentException(
                    $"schema node {node.GetType().Name} for \"{key}\" is not supported",
                    nameof(node)
                );
        }
    }

    /// <summary>
    /// hcldec gives a block as one object; Nomad's API (and our job files) write blocks as a list of objects, so a
    /// list of exactly one is accepted too. The result is the object, or null when the block is absent.
    /// </summary>
    private static CtyValue CoerceBlock(string key, BlockSchema block, CtyValue value)
    {
        var body = value switch
        {
            CtyList { Items.Count: 0 } => CtyValue.Null,
            CtyList { Items.Count: 1 } one => one.Items[0],
            CtyList many => throw ConfigException.ForKey(
                key,
                $"only one \"{key}\" block is allowed, got {many.Items.Count}"
            ),
            _ => value,
        };
        if (body.IsNull)
        {
            return block.Required ? throw new ConfigException(key, $"a \"{key}\" block is required") : CtyValue.Null;
        }
        return CoerceObject(body, block.Nested, unknownKeys: null, prefix: key + ".");
    }

    /// <summary>A list of objects, in the order written; a single object (one block in map form) is a list of one.</summary>
    private static CtyList CoerceBlockList(string key, BlockListSchema blocks, CtyValue value)
    {
        var items = value switch
        {
            CtyNull => [],
            CtyList list => list.Items,
            CtyMap => (IReadOnlyList<CtyValue>)[value],
            _ => throw ConfigException.ForKey(key, $"expected \"{key}\" blocks, got {value.Description}"),
        };
        if ((ulong)items.Count < blocks.MinItems || (blocks.MaxItems > 0 && (ulong)items.Count > blocks.MaxItems))
        {
            var most = blocks.MaxItems > 0 ? $"at most {blocks.MaxItems}" : "any number of";
            throw ConfigException.ForKey(
                key,
                $"at least {blocks.MinItems} and {most} \"{key}\" blocks are allowed, got {items.Count}"
            );
        }
        return new CtyList([
            .. items.Select(
                (item, i) =>
                    item.IsNull
                        ? throw ConfigException.ForKey(key, $"block {i} is null")
                        : CoerceObject(item, blocks.Nested, unknownKeys: null, prefix: $"{key}[{i}].")
            ),
        ]);
    }

    /// <summary>cty's conversion rules for the types configs use; <paramref name="path"/> locates nested values.</summary>
    internal static CtyValue ConvertTo(CtyValue value, HclType type, string key, string path)
    {
        if (value.IsNull || type.Name == "any")
        {
            return value;
        }

        return (type.Name, value) switch
        {
            ("string", CtyString) => value,
            ("string", CtyNumber n) => new CtyString(n.Text),
            ("string", CtyBool b) => new CtyString(b.Value ? "true" : "false"),
            ("number", CtyNumber) => value,
            ("number", CtyString s) when CtyNumber.TryParse(s.Value, out var parsed) => parsed,
            ("bool", CtyBool) => value,
            ("bool", CtyString { Value: "true" }) => CtyBool.True,
            ("bool", CtyString { Value: "false" }) => CtyBool.False,
            ("list" or "set", CtyList list) => new CtyList([
                .. list.Items.Select((item, i) => ConvertTo(item, type.Element!, key, $"{path}element {i}: ")),
            ]),
            // HCL1 style: a block such as `port_map { http = 80 }` is a list of one map.
            ("list" or "set", CtyMap map) when type.Element!.Name is "map" or "any" => new CtyList([
                ConvertTo(map, type.Element, key, $"{path}element 0: "),
            ]),
            ("map", CtyMap map) => new CtyMap(
                map.Entries.Select(e =>
                    KeyValuePair.Create(e.Key, ConvertTo(e.Value, type.Element!, key, $"{path}[\"{e.Key}\"]: "))
                )
            ),
            _ => throw ConfigException.ForKey(key, $"{path}expected {type.Description}, got {Describe(value)}"),
        };
    }

    private static string Describe(CtyValue value) =>
        value switch
        {
            CtyString s when s.Value.Length <= 40 => $"a string (\"{s.Value}\")",
            CtyNumber n =>
                $"a number ({(n.Text.Length <= 40 ? n.Text : n.Double.ToString(System.Globalization.CultureInfo.InvariantCulture))})",
            CtyBool b => $"a bool ({b})",
            _ => value.Description,
        };
}
