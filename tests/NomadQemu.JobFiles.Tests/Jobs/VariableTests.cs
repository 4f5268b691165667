using NomadQemu.JobFiles.Hcl;
using static NomadQemu.JobFiles.Tests.Jobs.JobTestHelpers;

namespace NomadQemu.JobFiles.Tests.Jobs;

public sealed class VariableTests
{
    private static readonly string s_corpus = File.ReadAllText(CorpusPath("variables-locals.nomad.hcl"));

    [Fact]
    public void Defaults_AndLocals_AreApplied()
    {
        var job = Parse(s_corpus);
        var group = Assert.Single(job.Groups);
        Assert.Equal(2, group.Count);
        var task = Assert.Single(group.Tasks);
        var artifact = Assert.Single(task.Artifacts);
        Assert.Equal("https://images.example.invalid/disk-0.3.qcow2", artifact.Source);
        Assert.Equal("Bearer 0.3", artifact.Headers["Authorization"]);
        Assert.Equal(("file", "local/disk.qcow2"), (artifact.Mode, artifact.Destination));
        Assert.Equal(new HclString("kvm"), task.Config["accelerator"]);
        Assert.Equal(
            new HclList([new HclObject([new("ssh", new HclNumber(22)), new("http", new HclNumber(80))])]),
            task.Config["port_map"]
        );
        Assert.Equal((1024, 512), (task.Resources.MemoryMb, task.Resources.Cpu));
        Assert.Equal(("VM-0.3", "vm-0.3"), (task.Meta["vm"], task.Meta["label"]));
    }

    [Fact]
    public void GivenVars_OverrideDefaults_ConvertedByType()
    {
        var vars = new Dictionary<string, string>
        {
            ["image_version"] = "1.0",
            ["memory_mb"] = "4096",
            ["enable_kvm"] = "false",
            ["ports"] = "{ ssh = 2222, http = 8080 }",
        };
        var task = SingleTask(Parse(s_corpus, vars));
        Assert.Equal("https://images.example.invalid/disk-1.0.qcow2", task.Artifacts[0].Source);
        Assert.Equal((4096, 2048), (task.Resources.MemoryMb, task.Resources.Cpu));
        Assert.Equal(new HclString("tcg"), task.Config["accelerator"]);
        Assert.Equal(new HclNumber(2222), ((HclObject)((HclList)task.Config["port_map"]!)[0])["ssh"]);
    }

    [Fact]
    public void NomadVarEnvironment_IsUsed_ButGivenVarsWin()
    {
        var environment = new Dictionary<string, string>
        {
            ["NOMAD_VAR_image_version"] = "2.0",
            ["NOMAD_VAR_memory_mb"] = "64",
        };
        var task = SingleTask(Parse(s_corpus, new Dictionary<string, string> { ["memory_mb"] = "128" }, environment));
        Assert.EndsWith("disk-2.0.qcow2", task.Artifacts[0].Source, StringComparison.Ordinal);
        Assert.Equal(128, task.Resources.MemoryMb);
    }

    [Theory]
    [InlineData("memory_mb", "lots", "variable \"memory_mb\" must be a number, but the value is \"lots\"", 7)]
    [InlineData("enable_kvm", "yes", "variable \"enable_kvm\" must be a bool", 17)]
    public void GivenVar_OfWrongType_IsErrorAtDeclaration(string name, string value, string fragment, int line)
    {
        var error = ParseError(s_corpus, new Dictionary<string, string> { [name] = value });
        Assert.Contains(fragment, error.Detail, StringComparison.Ordinal);
        Assert.Equal(line, error.Line);
    }

    [Fact]
    public void GivenVar_Undeclared_IsError() =>
        Assert.Contains(
            "-var nope: the job file declares no variable \"nope\"",
            ParseError(s_corpus, new Dictionary<string, string> { ["nope"] = "1" }).Message,
            StringComparison.Ordinal
        );

    [Fact]
    public void RequiredVariable_Missing_IsErrorAtBlock()
    {
        var error = ParseError(
            "\nvariable \"image\" {\n  type = string\n}\n"
                + Wrap("driver = \"qemu\"\nconfig { image_path = var.image }")
        );
        Assert.Equal((2, 1), (error.Line, error.Column));
        Assert.Contains(
            "variable \"image\" has no default and no value was given; pass one with -var image=VALUE",
            error.Detail,
            StringComparison.Ordinal
        );
    }

    [Fact]
    public void UndefinedVariableReference_IsPositionedError()
    {
        var error = ParseError(Wrap("driver = \"qemu\"\nconfig { image_path = var.missing }"));
        Assert.Equal((5, 23), (error.Line, error.Column));
        Assert.Contains("undefined variable \"var.missing\"", error.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public void DefaultWithWrongType_IsErrorAtDefault()
    {
        var error = ParseError(
            "variable \"n\" {\n  type = number\n  default = \"abc\"\n}\n" + Wrap("driver = \"qemu\"")
        );
        Assert.Equal((3, 13), (error.Line, error.Column));
    }

    [Fact]
    public void DefaultReferencingVar_IsError() =>
        Assert.Contains(
            "\"var.*\" values cannot be used here",
            ParseError("variable \"a\" {\n  default = var.b\n}\n" + Wrap("driver = \"qemu\"")).Detail,
            StringComparison.Ordinal
        );

    [Fact]
    public void LocalCycle_IsError()
    {
        var error = ParseError("locals {\n  a = local.b\n  b = local.a\n}\n" + Wrap("driver = \"qemu\""));
        Assert.Contains("cycle", error.Detail, StringComparison.Ordinal);
        Assert.Equal((2, 3), (error.Line, error.Column));
    }

    [Fact]
    public void DuplicateVariable_IsError() =>
        Assert.Contains(
            "declared twice",
            ParseError(
                "variable \"a\" { default = 1 }\nvariable \"a\" { default = 2 }\n" + Wrap("driver = \"qemu\"")
            ).Detail,
            StringComparison.Ordinal
        );

    [Fact]
    public void UnsupportedType_IsError() =>
        Assert.Contains(
            "unsupported variable type",
            ParseError("variable \"a\" {\n  type = strin\n  default = 1\n}\n" + Wrap("driver = \"qemu\"")).Detail,
            StringComparison.Ordinal
        );

    [Fact]
    public void EnvFunction_ReadsGivenEnvironment()
    {
        var task = SingleTask(
            Parse(
                Wrap("driver = \"qemu\"\nconfig { image_path = env(\"IMAGE\") }"),
                environment: new() { ["IMAGE"] = "/srv/a.img" }
            )
        );
        Assert.Equal(new HclString("/srv/a.img"), task.Config["image_path"]);
    }
}
