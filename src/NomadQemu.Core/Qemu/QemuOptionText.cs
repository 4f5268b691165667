namespace NomadQemu.Core.Qemu;

/// <summary>Formatting helpers for QEMU's <c>key=value,key=value</c> option syntax.</summary>
internal static class QemuOptionText
{
    /// <summary>
    /// QEMU splits option strings at commas and reads ",," as a literal comma. Paths and names from Nomad can hold
    /// commas (the built-in driver passed them raw, so such a path broke the option or injected a suboption).
    /// </summary>
    public static string Escape(string value) => value.Replace(",", ",,", StringComparison.Ordinal);
}
