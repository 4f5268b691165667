using NomadQemu.Core.Config;

namespace NomadQemu.Core.Validation;

/// <summary>The task's <c>resources.memory</c> becomes <c>-m</c>; bounds are the built-in driver's.</summary>
public static class MemoryGuard
{
    public const long MinMb = 128;
    public const long MaxMb = 4_000_000;

    /// <exception cref="ConfigException">The value is outside <see cref="MinMb"/>..<see cref="MaxMb"/>.</exception>
    public static void Check(long memoryMb)
    {
        if (memoryMb is < MinMb or > MaxMb)
        {
            throw new ConfigException(
                "memory",
                $"resources.memory = {memoryMb} MB is outside what a QEMU task allows: {MinMb}..{MaxMb} MB"
            );
        }
    }
}
