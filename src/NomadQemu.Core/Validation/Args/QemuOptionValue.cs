namespace NomadQemu.Core.Validation.Args;

/// <summary>
/// An option value taken apart: its type (the device driver, netdev type, chardev backend...; null when the value
/// has none) and every property as written. The implied key's explicit spellings (<c>driver=</c>) are types too.
/// </summary>
/// <param name="TypeGiven">False when the value names no type and <see cref="Types"/> holds its first key instead.</param>
internal sealed record QemuOptionValue(
    IReadOnlyList<string> Types,
    IReadOnlyList<KeyValuePair<string, string>> Properties,
    bool TypeGiven = true
);
