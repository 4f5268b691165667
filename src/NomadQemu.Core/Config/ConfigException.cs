namespace NomadQemu.Core.Config;

/// <summary>
/// A plugin or task config value was rejected. The message is written for the job author or operator
/// (Nomad shows it in the task event); <see cref="Key"/> names the config key when one is to blame.
/// </summary>
public sealed class ConfigException : Exception
{
    public ConfigException(string? key, string message)
        : base(message)
    {
        Key = key;
    }

    public ConfigException(string? key, string message, Exception innerException)
        : base(message, innerException)
    {
        Key = key;
    }

    /// <summary>The config key at fault (for example <c>port_map</c>), or null for whole-config problems.</summary>
    public string? Key { get; }

    /// <summary>Builds the standard <c>config key "k": detail</c> message.</summary>
    public static ConfigException ForKey(string key, string detail) => new(key, $"config key \"{key}\": {detail}");
}
