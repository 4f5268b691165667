using NomadQemu.Core.Cty;

namespace NomadQemu.Core.Config;

/// <summary>
/// Flattens <c>port_map</c> (<c>list(map(number))</c>: HCL1 blocks make each <c>port_map { ... }</c> one list element)
/// into label → guest port.
/// </summary>
internal static class PortMapDecoder
{
    public static IReadOnlyDictionary<string, int> Flatten(CtyValue value)
    {
        const string Key = TaskConfigSchema.PortMap;
        Dictionary<string, int> ports = new(StringComparer.Ordinal);
        if (value is CtyNull)
        {
            return ports;
        }

        if (value is not CtyList blocks)
        {
            throw ConfigException.ForKey(Key, $"expected a list of maps of numbers, got {value.Description}");
        }

        foreach (var block in blocks.Items)
        {
            if (block is not CtyMap map)
            {
                throw ConfigException.ForKey(Key, $"expected a map of label = guest port, got {block.Description}");
            }

            foreach ((var label, var port) in map.Entries)
            {
                var guestPort =
                    port is CtyNumber n && ConfigReader.ToInt(n, 1, 65535) is int p
                        ? p
                        : throw ConfigException.ForKey(
                            Key,
                            $"guest port for label \"{label}\" must be 1..65535, got {Show(port)}"
                        );
                if (!ports.TryAdd(label, guestPort))
                {
                    throw ConfigException.ForKey(Key, $"label \"{label}\" is mapped more than once");
                }
            }
        }

        return ports;
    }

    private static string Show(CtyValue value) => value is CtyNumber n ? n.Text : value.Description;
}
