using NomadQemu.JobFiles.Hcl;

namespace NomadQemu.JobFiles;

/// <summary>
/// The declared <c>type</c> of a job variable, as far as needed to read <c>-var</c> text and check defaults.
/// Primitive types convert like HCL does; collection types take their <c>-var</c> text as an HCL expression.
/// </summary>
internal sealed record VariableType(string Name)
{
    private static readonly VariableType s_any = new("any");

    public static VariableType Of(HclAttribute? attribute) =>
        attribute?.Expression switch
        {
            null => s_any,
            TraversalExpression { RootName: { } root, Steps.Count: 0 }
                when root is "string" or "number" or "bool" or "any" => new VariableType(root),
            FunctionCallExpression call
                when call.SourceText.Split('(')[0].Trim() is "list" or "set" or "map" or "tuple" or "object" =>
                new VariableType("collection"),
            var other => throw other.Error(
                "unsupported variable type: use string, number, bool, any, list(...), set(...), map(...), object(...) or tuple(...)"
            ),
        };

    public HclValue FromText(string text, string variable, HclBlock block)
    {
        if (Name is "string" or "any")
        {
            return new HclString(text);
        }
        if (Name is "number" or "bool")
        {
            return Convert(new HclString(text), null, variable, block);
        }
        var expression = HclParser.ParseExpression(text, $"<value of -var {variable}>");
        return expression.Evaluate(new HclEvalContext(".") { KeepUnknownReferences = false });
    }

    public HclValue Convert(HclValue value, HclExpression? where, string variable, HclBlock? block = null)
    {
        var converted = (Name, value) switch
        {
            (_, HclNull) => value,
            ("any" or "collection", _) => value,
            ("string", _) => HclValueText.AsString(value) is { } s ? new HclString(s) : null,
            ("number", HclNumber) => value,
            ("number", HclString s) => NumberText.TryParse(s.Value, out var n) ? new HclNumber(n) : null,
            ("bool", HclBool) => value,
            ("bool", HclString { Value: "true" or "false" } s) => HclValue.Of(s.Value == "true"),
            _ => null,
        };
        if (converted is not null)
        {
            return converted;
        }
        var message = $"variable \"{variable}\" must be a {Name}, but the value is {HclValueText.Render(value)}";
        if (where is not null)
        {
            throw where.Error(message);
        }
        throw JobBodyReader.ErrorAt(block!.Body, block.Position, message);
    }
}
