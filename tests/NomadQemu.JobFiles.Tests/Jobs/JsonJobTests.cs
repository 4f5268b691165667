using NomadQemu.JobFiles.Hcl;
using static NomadQemu.JobFiles.Tests.Jobs.JobTestHelpers;

namespace NomadQemu.JobFiles.Tests.Jobs;

public sealed class JsonJobTests
{
    private static JobSpec ParseJson(string json) => JobFileLoader.Parse(json, "job.json", ".");

    [Fact]
    public void WrappedAndBareJobObjects_AreEquivalent()
    {
        const string job =
            "{\"ID\":\"x\",\"TaskGroups\":[{\"Name\":\"g\",\"Tasks\":[{\"Name\":\"t\",\"Driver\":\"qemu\"}]}]}";
        Assert.Equal(ParseJson(job), ParseJson("{\"Job\":" + job + "}"));
    }

    [Fact]
    public void KeysMatchCaseInsensitively_LikeNomadsApi()
    {
        var job = ParseJson(
            "{\"id\":\"x\",\"taskGroups\":[{\"name\":\"g\",\"tasks\":[{\"name\":\"t\",\"driver\":\"qemu\",\"killTimeout\":2000000000}]}]}"
        );
        Assert.Equal(TimeSpan.FromSeconds(2), SingleTask(job).KillTimeout);
    }

    [Fact]
    public void Artifacts_AndPorts_MapFromApiNames()
    {
        var job = ParseJson(
            """
            {"Job": {"ID": "x", "TaskGroups": [{"Name": "g",
              "Networks": [{"Mode": "bridge", "ReservedPorts": [{"Label": "web", "Value": 8080, "To": 80}],
                            "DynamicPorts": [{"Label": "ssh", "Value": 0, "To": 22, "HostNetwork": "private"}]}],
              "Tasks": [{"Name": "t", "Driver": "qemu",
                "Artifacts": [{"GetterSource": "https://x.invalid/a.img", "GetterMode": "file", "RelativeDest": "local/a.img",
                               "GetterOptions": {"checksum": "md5:abc"}, "GetterHeaders": {"X-Token": "t"}}]}]}]}}
            """
        );
        var network = job.Groups[0].Network!;
        Assert.Equal("bridge", network.Mode);
        Assert.Equal(
            [("web", (int?)8080, (int?)80, "default"), ("ssh", null, 22, "private")],
            network.Ports.Select(p => (p.Label, p.Static, p.To, p.HostNetwork))
        );
        var artifact = Assert.Single(SingleTask(job).Artifacts);
        Assert.Equal(
            ("https://x.invalid/a.img", "file", "local/a.img"),
            (artifact.Source, artifact.Mode, artifact.Destination)
        );
        Assert.Equal("md5:abc", artifact.Options["checksum"]);
        Assert.Equal("t", artifact.Headers["X-Token"]);
    }

    [Theory]
    [InlineData("{\"ID\": \"x\",\n  \"TaskGroups\": [1, }", 2, 21, "invalid JSON")]
    [InlineData("{\"ID\": \"x\",\n \"TaskGroups\": []}", 1, 1, "the job has no TaskGroups")]
    [InlineData(
        "{\"ID\": \"x\", \"TaskGroups\": [\n  {\"Name\": \"g\", \"Tasks\": [\n    {\"Name\": \"t\"}]}]}",
        3,
        5,
        "task \"t\": missing required \"Driver\""
    )]
    [InlineData(
        "{\"ID\": \"x\", \"TaskGroups\": [{\"Name\": \"g\", \"Count\": \"two\", \"Tasks\": [{\"Name\": \"t\", \"Driver\": \"q\"}]}]}",
        1,
        51,
        "\"Count\" must be a whole number"
    )]
    [InlineData("{\"TaskGroups\": []}", 1, 1, "missing \"ID\"")]
    [InlineData(
        "{\"ID\": \"x\", \"TaskGroups\": [{\"Name\": \"g\", \"Tasks\": [{\"Name\": \"t\", \"Driver\": \"q\", \"Config\": [1]}]}]}",
        1,
        91,
        "\"Config\" must be an object"
    )]
    public void InvalidJson_IsPositionedError(string json, int line, int column, string fragment)
    {
        var error = Assert.Throws<HclException>(() => ParseJson(json));
        Assert.Equal((line, column), (error.Line, error.Column));
        Assert.Contains(fragment, error.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public void VarsWithJsonJob_AreRejected() =>
        Assert.Contains(
            "-var values apply only to HCL",
            Assert
                .Throws<HclException>(() =>
                    JobFileLoader.Parse("{}", "j.json", ".", new Dictionary<string, string> { ["a"] = "1" })
                )
                .Message,
            StringComparison.Ordinal
        );

    [Fact]
    public void MissingFile_IsHclExceptionNamingIt()
    {
        var error = Assert.Throws<HclException>(() => JobFileLoader.Load("/nonexistent/job.hcl"));
        Assert.Equal("/nonexistent/job.hcl", error.FileName);
        Assert.Contains("cannot read the job file", error.Message, StringComparison.Ordinal);
    }
}
