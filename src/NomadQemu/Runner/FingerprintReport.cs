using System.Text.Json;
using NomadQemu.Driver.Node;

namespace NomadQemu.Runner;

/// <summary>The fingerprint as `fingerprint --json` prints it: Nomad's health, description and typed node attributes.</summary>
internal sealed record FingerprintReport(
    string Health,
    string Description,
    IReadOnlyDictionary<string, JsonElement> Attributes
)
{
    public static FingerprintReport From(Fingerprint fingerprint) =>
        new(
            fingerprint.Health.ToString().ToLowerInvariant(),
            fingerprint.Description,
            fingerprint
                .Attributes.OrderBy(a => a.Key, StringComparer.Ordinal)
                .ToDictionary(a => a.Key, a => ToJson(a.Value.Value))
        );

    public string ToJson() => JsonSerializer.Serialize(this, RunnerJson.Default.FingerprintReport);

    // Nomad attributes are bool, int, float or string; keep the type so scripts can test `.kvm == true`.
    private static JsonElement ToJson(object value) =>
        value switch
        {
            bool b => JsonSerializer.SerializeToElement(b, RunnerJson.Default.Boolean),
            long l => JsonSerializer.SerializeToElement(l, RunnerJson.Default.Int64),
            int i => JsonSerializer.SerializeToElement((long)i, RunnerJson.Default.Int64),
            double d => JsonSerializer.SerializeToElement(d, RunnerJson.Default.Double),
            _ => JsonSerializer.SerializeToElement(
                Convert.ToString(value, System.Globalization.CultureInfo.InvariantCulture) ?? "",
                RunnerJson.Default.String
            ),
        };
}
