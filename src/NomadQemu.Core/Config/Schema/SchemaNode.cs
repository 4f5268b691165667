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

/// <summary>
/// hclspec <c>Block</c>: at most one <c>name { ... }</c> block whose body is <paramref name="Nested"/>. Nomad's hcldec
/// hands the driver an object (null when absent); the API and job-file form is a list of one object.
/// </summary>
public sealed record BlockSchema(string Name, ObjectSchema Nested, bool Required = false) : SchemaNode;

/// <summary>
/// hclspec <c>BlockList</c>: repeated <c>name { ... }</c> blocks, decoded as a list of objects in the order written
/// (empty when absent). <paramref name="MaxItems"/> 0 means no limit.
/// </summary>
public sealed record BlockListSchema(string Name, ObjectSchema Nested, ulong MinItems = 0, ulong MaxItems = 0)
    : SchemaNode;
