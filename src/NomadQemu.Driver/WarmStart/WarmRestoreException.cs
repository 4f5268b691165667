namespace NomadQemu.Driver.WarmStart;

/// <summary>A clone did not come up from its template; the start drops the template and boots cold.</summary>
internal sealed class WarmRestoreException(string key, string message, Exception? inner = null)
    : Exception(message, inner)
{
    public string Key { get; } = key;
}
