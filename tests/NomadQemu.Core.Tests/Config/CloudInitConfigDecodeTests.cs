using NomadQemu.Core.Config;
using NomadQemu.Core.Cty;
using static NomadQemu.Core.Tests.Config.ConfigTestData;

namespace NomadQemu.Core.Tests.Config;

public sealed class CloudInitConfigDecodeTests
{
    private static Dictionary<string, object?> FullBlock() =>
        new()
        {
            ["user_data"] = "#cloud-config\nhostname: x\n",
            ["meta_data"] = new Dictionary<string, object?> { ["local-hostname"] = "web", ["zone"] = "a" },
            ["vendor_data_file"] = "local/vendor.yaml",
            ["network_config_file"] = "local/net.yaml",
        };

    [Fact]
    public void Decode_NoBlock_HasNoCloudInit()
    {
        Assert.Null(TaskConfig.Decode(Encode(Task())).CloudInit);
        Assert.Null(TaskConfig.Decode(Encode(Task(("cloud_init", Array.Empty<object>())))).CloudInit);
    }

    [Fact]
    public void Decode_BlockAsNomadSendsIt_ReadsEveryKey()
    {
        // hcldec turns a Block spec into one object.
        var config = TaskConfig.Decode(Encode(Task(("cloud_init", FullBlock())))).CloudInit;

        Assert.NotNull(config);
        Assert.Equal("#cloud-config\nhostname: x\n", config.UserData);
        Assert.Null(config.UserDataFile);
        Assert.Equal([KeyValuePair.Create("local-hostname", "web"), KeyValuePair.Create("zone", "a")], config.MetaData);
        Assert.Null(config.VendorData);
        Assert.Equal("local/vendor.yaml", config.VendorDataFile);
        Assert.Null(config.NetworkConfig);
        Assert.Equal("local/net.yaml", config.NetworkConfigFile);
        Assert.Equal(
            [
                ("cloud_init.vendor_data_file", "local/vendor.yaml"),
                ("cloud_init.network_config_file", "local/net.yaml"),
            ],
            config.Files()
        );
    }

    [Fact]
    public void Decode_BlockAsTheApiWritesIt_ListOfOne_DecodesTheSame()
    {
        var fromObject = TaskConfig.Decode(Encode(Task(("cloud_init", FullBlock())))).CloudInit!;
        var fromList = TaskConfig.Decode(Encode(Task(("cloud_init", new object[] { FullBlock() })))).CloudInit!;

        Assert.Equal(fromObject.UserData, fromList.UserData);
        Assert.Equal(fromObject.MetaData, fromList.MetaData);
        Assert.Equal(fromObject.Files(), fromList.Files());
    }

    [Fact]
    public void Coerce_IsIdempotent_SoTheRunnerAndTheDriverSeeTheSameBytes()
    {
        var once = ConfigCoercion.Coerce(
            CtyValue.FromPlain(Task(("cloud_init", new object[] { FullBlock() }))),
            TaskConfigSchema.Spec
        );
        var twice = ConfigCoercion.Coerce(CtyMsgpack.Decode(CtyMsgpack.Encode(once)), TaskConfigSchema.Spec);

        Assert.Equal(CtyMsgpack.Encode(once), CtyMsgpack.Encode(twice));
        Assert.IsType<CtyMap>(once["cloud_init"]);
    }

    [Fact]
    public void Decode_EmptyInlineUserData_IsPresentNotAbsent()
    {
        var config = TaskConfig
            .Decode(Encode(Task(("cloud_init", new Dictionary<string, object?> { ["user_data"] = "" }))))
            .CloudInit!;

        Assert.Equal("", config.UserData);
    }

    [Fact]
    public void Decode_TwoBlocks_IsRefusedByName()
    {
        var e = Assert.Throws<ConfigException>(() =>
            TaskConfig.Decode(Encode(Task(("cloud_init", new object[] { FullBlock(), FullBlock() }))))
        );

        Assert.Equal("cloud_init", e.Key);
        Assert.Contains("only one \"cloud_init\" block", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("user_data", "user_data_file")]
    [InlineData("vendor_data", "vendor_data_file")]
    [InlineData("network_config", "network_config_file")]
    public void Decode_InlineAndFile_IsRefusedNamingBoth(string inline, string file)
    {
        var block = new Dictionary<string, object?> { [inline] = "x", [file] = "local/x" };

        var e = Assert.Throws<ConfigException>(() => TaskConfig.Decode(Encode(Task(("cloud_init", block)))));

        Assert.Equal($"cloud_init.{inline}", e.Key);
        Assert.Contains($"\"cloud_init.{inline}\"", e.Message, StringComparison.Ordinal);
        Assert.Contains($"\"cloud_init.{file}\"", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Coerce_UnknownKeyInTheBlock_IsRefusedWithItsFullName()
    {
        var block = new Dictionary<string, object?> { ["userdata"] = "x" };

        var e = Assert.Throws<ConfigException>(() =>
            ConfigCoercion.Coerce(CtyValue.FromPlain(Task(("cloud_init", block))), TaskConfigSchema.Spec)
        );

        Assert.Equal("cloud_init.userdata", e.Key);
        Assert.Contains("user_data", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Decode_MetaDataNotAMap_IsRefusedWithItsFullName()
    {
        var block = new Dictionary<string, object?> { ["meta_data"] = new object[] { "a" } };

        var e = Assert.Throws<ConfigException>(() => TaskConfig.Decode(Encode(Task(("cloud_init", block)))));

        Assert.Equal("cloud_init.meta_data", e.Key);
    }

    [Fact]
    public void Decode_BlockNotAnObject_IsRefused()
    {
        var e = Assert.Throws<ConfigException>(() => TaskConfig.Decode(Encode(Task(("cloud_init", "yes")))));

        Assert.Equal("cloud_init", e.Key);
    }
}
