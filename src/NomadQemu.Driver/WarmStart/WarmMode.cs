namespace NomadQemu.Driver.WarmStart;

internal enum WarmMode
{
    /// <summary>No template under the key: boot cold into shared RAM and save the template once ready.</summary>
    Build,

    /// <summary>A template exists: restore it.</summary>
    Clone,

    /// <summary>Another start holds the build lock: boot cold without saving.</summary>
    Cold,
}
