using System.Text.Json.Serialization;

namespace NomadQemu.Driver.WarmStart;

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower, WriteIndented = true)]
[JsonSerializable(typeof(TemplateInfo))]
[JsonSerializable(typeof(string))]
internal sealed partial class WarmJson : JsonSerializerContext;
