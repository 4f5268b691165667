using NomadQemu.JobFiles.Hcl;
using static NomadQemu.JobFiles.Tests.Jobs.JobTestHelpers;

namespace NomadQemu.JobFiles.Tests.Jobs;

public sealed class JobStructureTests
{
    [Theory]
    [InlineData("task \"t\" {\n  driver = \"qemu\"\n}\n", 1, 1, "a task must be inside a group")]
    [InlineData("group \"g\" {}\n", 1, 1, "a group must be inside a job block")]
    [InlineData(
        "job \"j\" {\n  task \"t\" {\n    driver = \"qemu\"\n  }\n}\n",
        2,
        3,
        "job \"j\": a task must be inside a group"
    )]
    [InlineData("job \"j\" {\n}\n", 1, 1, "job \"j\": the job has no group blocks")]
    [InlineData("job \"j\" {\n  group \"g\" {\n  }\n}\n", 2, 3, "group \"g\": the group has no task blocks")]
    [InlineData("job {\n}\n", 1, 1, "a job block needs exactly one label")]
    [InlineData("variable \"x\" {}\n", 1, 1, "no job block found")]
    [InlineData(
        "job \"a\" {}\njob \"b\" {}\n",
        2,
        1,
        "only one job block is allowed per file (the first is at job.hcl:1:1)"
    )]
    [InlineData(
        "job \"j\" {\n  group \"g\" {\n    task \"t\" {\n    }\n  }\n}\n",
        3,
        5,
        "task \"t\": missing required attribute \"driver\""
    )]
    [InlineData(
        "job \"j\" {\n  group \"g\" {\n    task \"t\" { driver = \"a\" }\n    task \"t\" { driver = \"b\" }\n  }\n}\n",
        4,
        10,
        "duplicate task \"t\" (the first is at job.hcl:3:5)"
    )]
    [InlineData(
        "job \"j\" {\n  group \"g\" {\n    task \"t\" { driver = \"a\" }\n  }\n  group \"g\" {\n    task \"t\" { driver = \"a\" }\n  }\n}\n",
        5,
        3,
        "duplicate group \"g\""
    )]
    [InlineData(
        "job \"j\" {\n  group \"g\" {\n    network {\n      port {}\n    }\n    task \"t\" { driver = \"a\" }\n  }\n}\n",
        4,
        7,
        "a port block needs a label"
    )]
    [InlineData(
        "job \"j\" {\n  group \"g\" {\n    network = \"x\"\n    task \"t\" { driver = \"a\" }\n  }\n}\n",
        3,
        5,
        "\"network\" must be a block (network { ... }), not an attribute"
    )]
    [InlineData(
        "job \"j\" {\n  group \"g\" {\n    network {}\n    network {}\n    task \"t\" { driver = \"a\" }\n  }\n}\n",
        4,
        5,
        "only one \"network\" block is allowed here"
    )]
    [InlineData(
        "job \"j\" {\n  group \"g\" {\n    count = \"many\"\n    task \"t\" { driver = \"a\" }\n  }\n}\n",
        3,
        5,
        "group \"g\": \"count\" must be a whole number, not \"many\""
    )]
    [InlineData(
        "job \"j\" {\n  group \"g\" {\n    count = -1\n    task \"t\" { driver = \"a\" }\n  }\n}\n",
        3,
        5,
        "\"count\" must be zero or more"
    )]
    [InlineData(
        "job \"j\" {\n  group \"g\" {\n    task \"t\" {\n      driver = [\"qemu\"]\n    }\n  }\n}\n",
        4,
        7,
        "\"driver\" must be a string"
    )]
    [InlineData("job \"j\" {\n  datacenters = \"dc1\"\n}\n", 2, 3, "\"datacenters\" must be a list of strings")]
    public void InvalidStructure_IsPositionedError(string text, int line, int column, string fragment)
    {
        var error = ParseError(text);
        Assert.Equal((line, column), (error.Line, error.Column));
        Assert.Contains(fragment, error.Detail, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("driver = \"qemu\"\nconfig = \"x\"", "\"config\" must be a block or an object")]
    [InlineData("driver = \"qemu\"\nenv = [1]", "\"env\" must be a block or an object")]
    [InlineData("driver = \"qemu\"\nenv {\n  A = [1]\n}", "\"env.A\" must be a string, number or bool")]
    [InlineData("driver = \"qemu\"\nkill_timeout = \"soon\"", "\"kill_timeout\" must be a duration")]
    [InlineData("driver = \"qemu\"\nkill_timeout = 5", "\"kill_timeout\" must be a duration")]
    [InlineData(
        "driver = \"qemu\"\nresources {\n  memory = 1.5\n}",
        "resources: \"memory\" must be a whole number, not 1.5"
    )]
    [InlineData(
        "driver = \"qemu\"\nartifact {\n  destination = \"local/\"\n}",
        "artifact: missing required attribute \"source\""
    )]
    [InlineData("driver = \"qemu\"\nconfig {}\nconfig {}", "only one \"config\" is allowed here")]
    [InlineData("driver = \"qemu\"\ndynamic \"artifact\" {\n  for_each = []\n}", "dynamic blocks are not supported")]
    [InlineData(
        "driver = \"qemu\"\nresources {\n  network {\n    port \"a\" { static = 70000 }\n  }\n}",
        "\"static\" must be a port number"
    )]
    public void InvalidTaskSettings_NameTheTask(string taskBody, string fragment)
    {
        var error = ParseError(Wrap(taskBody));
        Assert.Contains("task \"t\"", error.Detail, StringComparison.Ordinal);
        Assert.Contains(fragment, error.Detail, StringComparison.Ordinal);
        Assert.True(error.Line >= 3, error.Message);
    }

    [Fact]
    public void Defaults_MatchNomad()
    {
        var job = Parse(Wrap("driver = \"qemu\""));
        Assert.Equal(("j", "service"), (job.Name, job.Type));
        Assert.Equal(["*"], job.Datacenters);
        Assert.Equal(1, job.Groups[0].Count);
        Assert.Null(job.Groups[0].Network);
        var task = SingleTask(job);
        Assert.Equal(HclObject.Empty, task.Config);
        Assert.Equal(new ResourcesSpec(), task.Resources);
        Assert.Equal((100, 300), (task.Resources.Cpu, task.Resources.MemoryMb));
        Assert.Equal(TimeSpan.FromSeconds(5), task.KillTimeout);
        Assert.Empty(task.Env);
        Assert.Empty(task.Artifacts);
    }

    [Theory]
    [InlineData("1m30s", 90_000)]
    [InlineData("1.5h", 5_400_000)]
    [InlineData("250ms", 250)]
    [InlineData("0", 0)]
    [InlineData("2s500ms", 2_500)]
    public void KillTimeout_GoDurations_Parse(string text, int milliseconds) =>
        Assert.Equal(
            TimeSpan.FromMilliseconds(milliseconds),
            SingleTask(Parse(Wrap($"driver = \"qemu\"\nkill_timeout = \"{text}\""))).KillTimeout
        );

    [Fact]
    public void PortMap_BlockAndAttributeForms_BothParse()
    {
        var block = SingleTask(Parse(Wrap("driver = \"qemu\"\nconfig {\n  port_map {\n    ssh = 22\n  }\n}")));
        var attribute = SingleTask(Parse(Wrap("driver = \"qemu\"\nconfig {\n  port_map = { ssh = 22 }\n}")));
        var entry = new HclObject([new("ssh", new HclNumber(22))]);
        Assert.Equal(new HclList([entry]), block.Config["port_map"]);
        Assert.Equal(entry, attribute.Config["port_map"]);
    }

    [Fact]
    public void ConfigAttributeObject_IsAccepted() =>
        Assert.Equal(
            new HclString("a.img"),
            SingleTask(Parse(Wrap("driver = \"qemu\"\nconfig = { image_path = \"a.img\" }"))).Config["image_path"]
        );

    [Fact]
    public void ConfigNestedLabelledBlocks_NestUnderLabels()
    {
        var task = SingleTask(Parse(Wrap("driver = \"qemu\"\nconfig {\n  drive \"boot\" { file = \"a.img\" }\n}")));
        var expected = new HclList([
            new HclObject([new("boot", new HclObject([new("file", new HclString("a.img"))]))]),
        ]);
        Assert.Equal(expected, task.Config["drive"]);
    }

    [Fact]
    public void Format_OfStructureError_ShowsLineAndCaret()
    {
        var error = ParseError(Wrap("config {}"));
        Assert.Equal(
            "job.hcl:3:5: task \"t\": missing required attribute \"driver\"\n    task \"t\" {\n    ^",
            error.Format()
        );
    }

    [Fact]
    public void HclAndJson_LegacyNetworkJob_AreEqualAfterRename()
    {
        var hcl = File.ReadAllText(CorpusPath("legacy-task-network.nomad.hcl"))
            .Replace("\"legacy\"", "\"bare\"", StringComparison.Ordinal)
            .Replace(
                "config { image_path = \"local/a.img\" }",
                "config {\n image_path = \"local/a.img\"\n big = 18446744073709551617\n}\nenv { A = 1 }",
                StringComparison.Ordinal
            );
        Assert.Equal(JobFileLoader.Load(CorpusPath("bare-job.json")), Parse(hcl));
    }
}
