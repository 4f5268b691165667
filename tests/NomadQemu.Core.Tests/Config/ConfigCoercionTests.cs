using System.Text.Json;
using NomadQemu.Core.Config;
using NomadQemu.Core.Config.Schema;
using NomadQemu.Core.Cty;

namespace NomadQemu.Core.Tests.Config;

public sealed class ConfigCoercionTests
{
    [Fact]
    public void Coerce_PortMapWrittenAsOneMap_BecomesListOfMapsOfNumbers()
    {
        var raw = CtyValue.FromPlain(
            new Dictionary<string, object?>
            {
                ["image_path"] = "a.img",
                ["port_map"] = new Dictionary<string, object?> { ["http"] = "80" },
            }
        );

        var coerced = ConfigCoercion.Coerce(raw, TaskConfigSchema.Spec);

        var portMap = Assert.IsType<CtyList>(coerced["port_map"]);
        var block = Assert.IsType<CtyMap>(Assert.Single(portMap.Items));
        Assert.Equal(CtyNumber.FromInt64(80), block["http"]);
    }

    [Fact]
    public void Coerce_AbsentKeys_AreFilledWithNullOrDefaultAndSorted()
    {
        var coerced = ConfigCoercion.Coerce(
            CtyValue.FromPlain(new Dictionary<string, object?> { ["image_path"] = "a.img" }),
            TaskConfigSchema.Spec
        );

        Assert.Equal(TaskConfigSchema.Spec.Attributes.Keys.Order(StringComparer.Ordinal), coerced.Keys);
        Assert.Equal(new CtyString("auto"), coerced["accelerator"]);
        Assert.Equal(CtyBool.True, coerced["graceful_shutdown"]);
        Assert.Equal(CtyValue.Null, coerced["machine_type"]);
    }

    [Fact]
    public void Coerce_UnknownKey_IsRefusedWithKnownKeys()
    {
        var raw = CtyValue.FromPlain(new Dictionary<string, object?> { ["image_paths"] = new[] { "/x" }, ["foo"] = 1 });

        var ex = Assert.Throws<ConfigException>(() => ConfigCoercion.Coerce(raw, PluginConfigSchema.Spec));

        Assert.Equal(
            "unknown config key \"foo\"; known keys: args_allowlist, emulators_allowlist, image_paths, jail, jail_uid_base, jail_uid_count, kvm_probe, sandbox, state_dir, warm_start_cache_max",
            ex.Message
        );
        Assert.Equal("foo", ex.Key);
    }

    [Theory]
    [InlineData("string", "42", "\"42\"")]
    [InlineData("string", "true", "\"true\"")]
    [InlineData("number", "\"1e20\"", "100000000000000000000")]
    [InlineData("bool", "\"false\"", "false")]
    [InlineData("list(string)", "[1, true]", "[\"1\", \"true\"]")]
    [InlineData("map(number)", "{\"a\": \"7\"}", "{a = 7}")]
    [InlineData("any", "[1]", "[1]")]
    public void Coerce_ConvertibleValue_ConvertsLikeCty(string type, string json, string expected)
    {
        ObjectSchema schema = new(new Dictionary<string, SchemaNode> { ["v"] = new AttrSchema("v", type) });
        var raw = CtyValue.FromPlain(JsonDocument.Parse($"{{\"v\": {json}}}").RootElement);

        var coerced = ConfigCoercion.Coerce(raw, schema);

        Assert.Equal(expected, Show(coerced["v"]));
    }

    [Theory]
    [InlineData("number", "\"eighty\"", "config key \"v\": expected a number, got a string (\"eighty\")")]
    [InlineData("bool", "1", "config key \"v\": expected a bool, got a number (1)")]
    [InlineData("list(number)", "[1, \"x\"]", "config key \"v\": element 1: expected a number, got a string (\"x\")")]
    [InlineData(
        "list(map(number))",
        "[{\"a\": []}]",
        "config key \"v\": element 0: [\"a\"]: expected a number, got a list"
    )]
    [InlineData("string", "{}", "config key \"v\": expected a string, got a map")]
    public void Coerce_InconvertibleValue_NamesKeyAndPath(string type, string json, string expected)
    {
        ObjectSchema schema = new(new Dictionary<string, SchemaNode> { ["v"] = new AttrSchema("v", type) });
        var raw = CtyValue.FromPlain(JsonDocument.Parse($"{{\"v\": {json}}}").RootElement);

        var ex = Assert.Throws<ConfigException>(() => ConfigCoercion.Coerce(raw, schema));

        Assert.Equal(expected, ex.Message);
    }

    [Fact]
    public void Schemas_EveryTypeAndDefaultLiteral_Parses()
    {
        foreach (var schema in new[] { TaskConfigSchema.Spec, PluginConfigSchema.Spec })
        {
            // Coercing "nothing" evaluates every default literal against its type.
            Dictionary<string, object?> minimal = schema == TaskConfigSchema.Spec ? new() { ["image_path"] = "x" } : [];
            var coerced = ConfigCoercion.Coerce(CtyValue.FromPlain(minimal), schema);
            Assert.Equal(schema.Attributes.Count, coerced.Count);
        }
    }

    [Fact]
    public void FromPlain_JsonNumber_KeepsExactText()
    {
        var value = CtyValue.FromPlain(JsonDocument.Parse("[12345678901234567890123, 0.1]").RootElement);

        var list = Assert.IsType<CtyList>(value);
        Assert.Equal("12345678901234567890123", ((CtyNumber)list[0]).Text);
        Assert.Equal("0.1", ((CtyNumber)list[1]).Text);
    }

    [Fact]
    public void FromPlain_UnsupportedType_Throws()
    {
        Assert.Throws<ArgumentException>(() => CtyValue.FromPlain(new object()));
    }

    private static string Show(CtyValue value) =>
        value switch
        {
            CtyString s => $"\"{s.Value}\"",
            CtyList l => "[" + string.Join(", ", l.Items.Select(Show)) + "]",
            CtyMap m => "{" + string.Join(", ", m.Entries.Select(e => $"{e.Key} = {Show(e.Value)}")) + "}",
            _ => value.ToString(),
        };
}
