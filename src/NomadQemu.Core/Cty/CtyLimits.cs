namespace NomadQemu.Core.Cty;

/// <summary>
/// Hard bounds applied to every config the driver decodes. Real configs are a few hundred bytes; these exist so
/// hostile or corrupt input fails with a clean <see cref="Config.ConfigException"/> instead of a stack overflow
/// or an out-of-memory.
/// </summary>
public static class CtyLimits
{
    /// <summary>Maximum nesting of lists and maps.</summary>
    public const int MaxDepth = 64;

    /// <summary>Maximum number of values (scalars, lists and maps) in one config.</summary>
    public const int MaxElements = 100_000;

    /// <summary>Maximum UTF-8 length of one string.</summary>
    public const int MaxStringBytes = 1024 * 1024;
}
