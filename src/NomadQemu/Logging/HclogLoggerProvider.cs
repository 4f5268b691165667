namespace NomadQemu.Logging;

/// <summary>Routes every ILogger in the process to stderr as hclog JSON.</summary>
internal sealed class HclogLoggerProvider(HclogSink sink, LogLevel minimum) : ILoggerProvider
{
    public ILogger CreateLogger(string categoryName) => new HclogJsonLogger(ModuleName(categoryName), sink, minimum);

    public void Dispose() { }

    /// <summary>hclog modules are short dotted names; .NET categories are type names.</summary>
    private static string ModuleName(string category)
    {
        const string prefix = "NomadQemu.";
        var name = category.StartsWith(prefix, StringComparison.Ordinal) ? category[prefix.Length..] : category;
        return "qemu." + name.ToLowerInvariant();
    }
}
