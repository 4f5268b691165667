using NomadQemu.CloudInit.Yaml;
using YamlDotNet.RepresentationModel;

namespace NomadQemu.CloudInit;

/// <summary>
/// The seed's meta-data: the job's own meta-data (YAML or JSON) merged over the defaults, the job winning key by
/// key. <c>instance-id</c> and <c>local-hostname</c> come first, then the job's other keys in the job's order.
/// Written as block YAML (see <see cref="YamlTreeWriter"/> for why values keep their meaning).
/// </summary>
internal static class MetaDataDocument
{
    public const string InstanceIdKey = "instance-id";
    public const string LocalHostnameKey = "local-hostname";

    /// <param name="jobMetaData">The job's meta-data, or null/empty for the defaults alone.</param>
    /// <exception cref="CloudInitException">The job's meta-data is too large, not UTF-8, not a YAML or JSON
    /// mapping, uses something the reader refuses, or gives a non-scalar or empty <c>instance-id</c>.</exception>
    public static byte[] Build(ReadOnlySpan<byte> jobMetaData, string instanceId, string localHostname)
    {
        var job = BoundedYamlReader.ReadMapping(jobMetaData, SeedFileNames.MetaData, CloudInitLimits.MaxMetaDataBytes);
        var merged = new YamlMappingNode
        {
            { YamlTreeWriter.Key(InstanceIdKey), Take(job, InstanceIdKey) ?? YamlTreeWriter.String(instanceId) },
            {
                YamlTreeWriter.Key(LocalHostnameKey),
                Take(job, LocalHostnameKey) ?? YamlTreeWriter.String(localHostname)
            },
        };
        foreach (var (key, value) in job.Children)
        {
            merged.Add(key, value);
        }
        return YamlTreeWriter.Write(merged);
    }

    // Removes and returns the job's value for a default's key, which must be a non-empty scalar: cloud-init uses
    // instance-id as a directory name and compares it as a string to decide whether this boot is the first.
    private static YamlScalarNode? Take(YamlMappingNode job, string key)
    {
        var match = job.Children.Keys.OfType<YamlScalarNode>().FirstOrDefault(k => k.Value == key);
        if (match is null)
        {
            return null;
        }
        var value = job.Children[match];
        job.Children.Remove(match);
        if (value is not YamlScalarNode { Value.Length: > 0 } scalar)
        {
            throw new CloudInitException(SeedFileNames.MetaData, $"\"{key}\" must be a non-empty string");
        }
        return scalar;
    }
}
