namespace NomadQemu.JobFiles.Hcl;

/// <summary>The checks of <see cref="HclLimits"/> that apply to a value, each a positioned error.</summary>
internal static class HclValueLimits
{
    public static void Check(HclValue value, HclExpression at) => Check(value, at.Source, at.Start);

    public static void Check(HclValue value, SourceFile source, int offset)
    {
        switch (value)
        {
            case HclString s when s.Value.Length > HclLimits.MaxStringLength:
                throw source.Error(offset, StringTooLong(s.Value.Length));
            case HclList list:
                CheckCollection(list.Count, list.Depth, list.Weight, "list", source, offset);
                break;
            case HclObject obj:
                CheckCollection(obj.Count, obj.Depth, obj.Weight, "object", source, offset);
                break;
        }
    }

    /// <summary>For code that is about to build a string of <paramref name="length"/> characters.</summary>
    public static void CheckStringLength(long length, HclExpression at)
    {
        if (length > HclLimits.MaxStringLength)
        {
            throw at.Error(StringTooLong(length));
        }
    }

    /// <summary>For code that is about to build a list of <paramref name="count"/> items.</summary>
    public static void CheckItemCount(long count, string kind, HclExpression at) =>
        CheckItemCount(count, kind, at.Source, at.Start);

    private static void CheckItemCount(long count, string kind, SourceFile source, int offset)
    {
        if (count > HclLimits.MaxCollectionItems)
        {
            throw source.Error(
                offset,
                $"the {kind} has {count} items, more than the limit of {HclLimits.MaxCollectionItems}"
            );
        }
    }

    public static string StringTooLong(long length) =>
        $"the string would be {length} characters long, more than the limit of {HclLimits.MaxStringLength}";

    private static void CheckCollection(int count, int depth, long weight, string kind, SourceFile source, int offset)
    {
        CheckItemCount(count, kind, source, offset);
        if (depth > HclLimits.MaxNestingDepth)
        {
            throw source.Error(
                offset,
                $"the value nests lists/objects {depth} levels deep, more than the limit of {HclLimits.MaxNestingDepth}"
            );
        }
        if (weight > HclLimits.MaxValueWeight)
        {
            throw source.Error(
                offset,
                $"the {kind} is too large: copied out it would hold {weight} items and characters, more than the limit of {HclLimits.MaxValueWeight}"
            );
        }
    }
}
