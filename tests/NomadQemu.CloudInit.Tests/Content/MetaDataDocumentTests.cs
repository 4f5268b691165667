using System.Text;
using NomadQemu.CloudInit.Tests.Support;

namespace NomadQemu.CloudInit.Tests.Content;

public sealed class MetaDataDocumentTests
{
    private static string Build(string? job) =>
        Encoding.UTF8.GetString(
            MetaDataDocument.Build(job is null ? [] : Seeds.Utf8(job), "nomad-abc", "web-0b3c6d0e")
        );

    [Fact]
    public void Build_NoJobMetaData_DefaultsAsQuotedStrings()
    {
        Assert.Equal("instance-id: \"nomad-abc\"\nlocal-hostname: \"web-0b3c6d0e\"\n", Build(null));
    }

    [Theory]
    [InlineData("")]
    [InlineData("~\n")]
    [InlineData("# only a comment\n")]
    [InlineData("{}")]
    [InlineData("\uFEFF{}")]
    public void Build_EmptyJobMetaData_DefaultsOnly(string job)
    {
        Assert.Equal(Build(null), Build(job));
    }

    [Fact]
    public void Build_JobOverridesHostname_DefaultsFirstThenJobKeysInJobOrder()
    {
        var merged = Build("zone: b\nlocal-hostname: custom\nalpha: 1\n");

        Assert.Equal("instance-id: \"nomad-abc\"\nlocal-hostname: custom\nzone: b\nalpha: 1\n", merged);
    }

    [Fact]
    public void Build_JsonJobMetaData_BlockYamlKeepingQuotedness()
    {
        var merged = Build("{\"count\": 2, \"name\": \"x\", \"list\": [true, \"false\"]}");

        Assert.Equal(
            "instance-id: \"nomad-abc\"\nlocal-hostname: \"web-0b3c6d0e\"\n\"count\": 2\n\"name\": \"x\"\n\"list\":\n- true\n- \"false\"\n",
            merged
        );
    }

    [Fact]
    public void Build_SameInputTwice_SameBytes()
    {
        Assert.Equal(Build("b: 1\na: [x, y]\n"), Build("b: 1\na: [x, y]\n"));
    }
}
