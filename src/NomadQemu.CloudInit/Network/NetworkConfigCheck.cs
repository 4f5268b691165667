using NomadQemu.CloudInit.Yaml;
using YamlDotNet.RepresentationModel;

namespace NomadQemu.CloudInit.Network;

/// <summary>
/// A job's own network-config is passed to the guest byte for byte, but checked first so a mistake shows up as a
/// task event instead of a guest without network: bounded, UTF-8, one YAML mapping that declares
/// <c>version: 1</c> (with a <c>config</c> list) or <c>version: 2</c>, at the top or under a <c>network:</c> key
/// (cloud-init accepts both). Tabs in indentation are refused too: this reader tolerates them, the guest's
/// YAML reader does not.
/// </summary>
internal static class NetworkConfigCheck
{
    public static void Check(ReadOnlySpan<byte> networkConfig)
    {
        BoundedYamlReader.CheckSize(networkConfig, SeedFileNames.NetworkConfig, CloudInitLimits.MaxNetworkConfigBytes);
        RefuseTabIndentation(networkConfig);
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

    private static void RefuseTabIndentation(ReadOnlySpan<byte> text)
    {
        var line = 1;
        var atIndent = true;
        foreach (var b in text)
        {
            if (b == (byte)'\n')
            {
                line++;
                atIndent = true;
            }
            else if (atIndent && b == (byte)'\t')
            {
                throw new CloudInitException(
                    SeedFileNames.NetworkConfig,
                    $"indents line {line} with a tab; YAML indentation must be spaces"
                );
            }
            else if (b != (byte)' ')
            {
                atIndent = false;
            }
        }
    }

    private static YamlNode? Get(YamlMappingNode mapping, string key) =>
        mapping.Children.FirstOrDefault(p => p.Key is YamlScalarNode k && k.Value == key).Value;
}
