using NomadQemu.CloudInit.Yaml;
using YamlDotNet.RepresentationModel;

namespace NomadQemu.CloudInit.Network;

/// <summary>
/// A job's own network-config is passed to the guest byte for byte, but checked first so a mistake shows up as a
/// task event instead of a guest without network: bounded, UTF-8, one YAML mapping that declares
/// <c>version: 1</c> (with a <c>config</c> list) or <c>version: 2</c>, at the top or under a <c>network:</c> key
/// (cloud-init accepts both).
/// </summary>
internal static class NetworkConfigCheck
{
    public static void Check(ReadOnlySpan<byte> networkConfig)
    {
        var root = BoundedYamlReader.ReadMapping(
            networkConfig,
            SeedFileNames.NetworkConfig,
            CloudInitLimits.MaxNetworkConfigBytes
        );
        if (Get(root, "network") is YamlMappingNode wrapped && Get(root, "version") is null)
        {
            root = wrapped;
        }
        switch (Get(root, "version"))
        {
            case YamlScalarNode { Style: YamlDotNet.Core.ScalarStyle.Plain, Value: "2" }:
                return;
            case YamlScalarNode { Style: YamlDotNet.Core.ScalarStyle.Plain, Value: "1" }:
                if (Get(root, "config") is not YamlSequenceNode)
                {
                    throw new CloudInitException(SeedFileNames.NetworkConfig, "version 1 needs a \"config\" list");
                }
                return;
            default:
                throw new CloudInitException(
                    SeedFileNames.NetworkConfig,
                    "must declare \"version: 1\" or \"version: 2\" (cloud-init's network-config formats)"
                );
        }
    }

    private static YamlNode? Get(YamlMappingNode mapping, string key) =>
        mapping.Children.FirstOrDefault(p => p.Key is YamlScalarNode k && k.Value == key).Value;
}
