using NomadQemu.Core.Config.Schema;
using NomadQemu.Protocol.HclSpec;

namespace NomadQemu.Plugin;

/// <summary>Maps our proto-free schema model one-to-one onto Nomad's hclspec <see cref="Spec"/>.</summary>
internal static class SchemaMapping
{
    public static Spec ToSpec(SchemaNode node) =>
        node switch
        {
            ObjectSchema o => ObjectSpec(o),
            AttrSchema a => new Spec
            {
                Attr = new Attr
                {
                    Name = a.Name,
                    Type = a.Type,
                    Required = a.Required,
                },
            },
            DefaultSchema d => new Spec
            {
                Default = new Default
                {
                    Primary = ToSpec(d.Primary),
                    Default_ = new Spec { Literal = new Literal { Value = d.LiteralHcl } },
                },
            },
            BlockSchema b => new Spec
            {
                BlockValue = new Block
                {
                    Name = b.Name,
                    Required = b.Required,
                    Nested = ObjectSpec(b.Nested),
                },
            },
            BlockListSchema l => new Spec
            {
                BlockList = new BlockList
                {
                    Name = l.Name,
                    MinItems = l.MinItems,
                    MaxItems = l.MaxItems,
                    Nested = ObjectSpec(l.Nested),
                },
            },
            _ => throw new ArgumentOutOfRangeException(
                nameof(node),
                node.GetType().Name,
                "schema node has no hclspec mapping"
            ),
        };

    private static Spec ObjectSpec(ObjectSchema schema)
    {
        var obj = new Protocol.HclSpec.Object();
        foreach (var (key, value) in schema.Attributes)
        {
            obj.Attributes[key] = ToSpec(value);
        }
        return new Spec { Object = obj };
    }
}
