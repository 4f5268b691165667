namespace NomadQemu.Core.Config.Schema;

/// <summary>
/// A proto-free model of the parts of Nomad's hclspec (<c>plugins/shared/hclspec/hcl_spec.proto</c>) this driver
/// uses. The plugin layer maps it one-to-one onto the proto <c>Spec</c>; <see cref="ConfigCoercion"/> interprets it.
/// </summary>
public abstract record SchemaNode
{
    private protected SchemaNode() { }
}

/// <summary>hclspec <c>Object</c>: each key is both the output attribute name and the implied input name.</summary>
public sealed record ObjectSchema(IReadOnlyDictionary<string, SchemaNode> Attributes) : SchemaNode;

/// <summary>
/// hclspec <c>Attr</c>. <paramref name="Type"/> is an HCL type expression such as <c>string</c>, <c>number</c>,
/// <c>bool</c>, <c>any</c>, <c>list(string)</c>, <c>list(map(number))</c>.
/// </summary>
public sealed record AttrSchema(string Name, string Type, bool Required = false) : SchemaNode;

/// <summary>
/// hclspec <c>Default</c>: <paramref name="LiteralHcl"/> is an HCL expression (<c>"\"auto\""</c>, <c>true</c>,
/// <c>[]</c>) used when the primary is absent. Nomad gives the primary no implied name, so an
/// <see cref="AttrSchema"/> inside must carry its name.
/// </summary>
public sealed record DefaultSchema(SchemaNode Primary, string LiteralHcl) : SchemaNode;
