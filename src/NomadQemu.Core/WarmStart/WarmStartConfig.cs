using NomadQemu.Core.Config;
using NomadQemu.Core.Cty;

namespace NomadQemu.Core.WarmStart;

/// <summary>
/// The task's <c>warm_start { ready { ... } timeout = "2m" }</c> block: opt in to starting from a memory snapshot
/// of an earlier start with the same template key (see README "Warm starts").
/// </summary>
public sealed record WarmStartConfig(WarmReadiness Ready, TimeSpan Timeout)
{
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromMinutes(2);

    public static string FullKey(string nested) => $"{TaskConfigSchema.WarmStart}.{nested}";

    /// <summary>Reads the coerced block; null when the job has none.</summary>
    /// <exception cref="ConfigException">A bad or missing value; names the full key.</exception>
    internal static WarmStartConfig? FromCty(CtyValue block)
    {
        if (block is not CtyMap map)
        {
            return null;
        }
        ConfigReader read = new(map, TaskConfigSchema.WarmStart + ".");
        var timeoutText = read.OptionalString(TaskConfigSchema.WarmStartTimeout);
        var timeout = DefaultTimeout;
        if (timeoutText is not null && !GoDuration.TryParse(timeoutText, out timeout))
        {
            throw ConfigException.ForKey(
                FullKey(TaskConfigSchema.WarmStartTimeout),
                $"must be a positive duration such as \"90s\" or \"2m\" (at most 24h), got \"{timeoutText}\""
            );
        }
        return new WarmStartConfig(ReadReady(map[TaskConfigSchema.WarmStartReady]), timeout);
    }

    private static WarmReadiness ReadReady(CtyValue block)
    {
        var key = FullKey(TaskConfigSchema.WarmStartReady);
        if (block is not CtyMap map)
        {
            throw ConfigException.ForKey(
                key,
                "a ready { } block is required: guest_agent = true, guest_port = N or delay = \"5s\""
            );
        }
        ConfigReader read = new(map, key + ".");
        var agent = read.Bool(TaskConfigSchema.WarmReadyGuestAgent, whenAbsent: false);
        var port = read.OptionalInt(TaskConfigSchema.WarmReadyGuestPort, 1, 65535);
        var delayText = read.OptionalString(TaskConfigSchema.WarmReadyDelay);
        TimeSpan? delay = null;
        if (delayText is not null)
        {
            if (!GoDuration.TryParse(delayText, out var parsed))
            {
                throw ConfigException.ForKey(
                    $"{key}.{TaskConfigSchema.WarmReadyDelay}",
                    $"must be a positive duration such as \"5s\" (at most 24h), got \"{delayText}\""
                );
            }
            delay = parsed;
        }
        var count = (agent ? 1 : 0) + (port is null ? 0 : 1) + (delay is null ? 0 : 1);
        if (count != 1)
        {
            throw ConfigException.ForKey(
                key,
                $"give exactly one of guest_agent = true, guest_port = N or delay = \"5s\" (got {count})"
            );
        }
        return new WarmReadiness(agent, port, delay);
    }
}
