using System.Text.Json.Serialization;

namespace NomadQemu.FakeQemu;

/// <summary>Source-generated JSON for the one type the fake escapes: strings in error replies.</summary>
[JsonSerializable(typeof(string))]
internal sealed partial class FakeJson : JsonSerializerContext;
