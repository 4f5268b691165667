using NomadQemu.JobFiles.Hcl;
using static NomadQemu.JobFiles.Tests.Jobs.JobTestHelpers;

namespace NomadQemu.JobFiles.Tests.Jobs;

public sealed class CorpusTests
{
    public static TheoryData<string> Files() => new(CorpusFiles().Select(Path.GetFileName)!);

    [Theory]
    [MemberData(nameof(Files))]
    public void CorpusFile_Loads_WithAtLeastOneTask(string name)
    {
        var job = JobFileLoader.Load(CorpusPath(name));
        Assert.NotEmpty(job.Groups);
        Assert.All(job.Groups, g => Assert.NotEmpty(g.Tasks));
        Assert.All(job.Groups.SelectMany(g => g.Tasks), t => Assert.False(string.IsNullOrEmpty(t.Driver)));
    }

    [Theory]
    [MemberData(nameof(Files))]
    public void CorpusFile_EveryTruncation_FailsOnlyWithPositionedHclException(string name)
    {
        var text = File.ReadAllText(CorpusPath(name));
        var random = new Random(name.Length * 7919);
        var cuts = Enumerable.Range(0, 150).Select(_ => random.Next(text.Length)).Append(0).Append(text.Length - 1);
        foreach (var cut in cuts)
        {
            var truncated = text[..cut];
            try
            {
                JobFileLoader.Parse(truncated, name, AppContext.BaseDirectory, null, _ => null);
            }
            catch (HclException error)
            {
                Assert.Equal(name, error.FileName);
                Assert.False(string.IsNullOrWhiteSpace(error.Detail));
                Assert.NotNull(error.Format());
            }
        }
    }

    [Theory]
    [MemberData(nameof(Files))]
    public void CorpusFile_RandomByteDeletions_FailOnlyWithHclException(string name)
    {
        var text = File.ReadAllText(CorpusPath(name));
        var random = new Random(name.Length);
        for (var i = 0; i < 150; i++)
        {
            var position = random.Next(text.Length);
            var mutated = text.Remove(position, Math.Min(text.Length - position, random.Next(1, 4)));
            try
            {
                JobFileLoader.Parse(mutated, name, AppContext.BaseDirectory, null, _ => null);
            }
            catch (HclException error)
            {
                Assert.Equal(name, error.FileName);
            }
        }
    }

    [Theory]
    [MemberData(nameof(Files))]
    public void CorpusFile_RandomInsertions_FailOnlyWithHclException(string name)
    {
        const string inserts = "{}[]()\"\\$%~#/*=.,:?!-<\n\r\t0e'";
        var text = File.ReadAllText(CorpusPath(name));
        var random = new Random(name.Length * 31);
        var iterations = int.TryParse(Environment.GetEnvironmentVariable("JOBFILES_FUZZ_ITERATIONS"), out var n)
            ? n
            : 200;
        for (var i = 0; i < iterations; i++)
        {
            var mutated = text;
            for (var edits = random.Next(1, 4); edits > 0; edits--)
            {
                mutated = mutated.Insert(random.Next(mutated.Length), inserts[random.Next(inserts.Length)].ToString());
            }
            try
            {
                JobFileLoader.Parse(mutated, name, AppContext.BaseDirectory, null, _ => null);
            }
            catch (HclException error)
            {
                Assert.Equal(name, error.FileName);
            }
        }
    }

    [Fact]
    public void QemuDocsStyle_ReadsEverySetting()
    {
        var job = JobFileLoader.Load(CorpusPath("qemu-docs-style.nomad.hcl"));
        Assert.Equal(("qemu-vm", "qemu-vm", "service"), (job.Id, job.Name, job.Type));
        Assert.Equal(["dc1"], job.Datacenters);
        var group = Assert.Single(job.Groups);
        Assert.Equal(
            new PortSpec
            {
                Label = "ssh",
                To = 22,
                Position = group.Network!.Ports[0].Position,
            },
            group.Network.Ports[0]
        );
        var task = SingleTask(job);
        Assert.Equal("qemu", task.Driver);
        Assert.Equal(new HclString("kvm"), task.Config["accelerator"]);
        Assert.Equal(new HclList([new HclObject([new("ssh", new HclNumber(22))])]), task.Config["port_map"]);
        Assert.Equal(TimeSpan.FromSeconds(30), task.KillTimeout);
        Assert.Equal("SIGTERM", task.KillSignal);
        Assert.Equal(
            (500, 512, 0, 0),
            (task.Resources.Cpu, task.Resources.MemoryMb, task.Resources.Cores, task.Resources.MemoryMaxMb)
        );
        var artifact = Assert.Single(task.Artifacts);
        Assert.StartsWith("sha256:5f2c", artifact.Options["checksum"], StringComparison.Ordinal);
        Assert.Equal(("local/", "any"), (artifact.Destination, artifact.Mode));
        Assert.Equal(CorpusPath("qemu-docs-style.nomad.hcl"), task.Position.File);
        Assert.Equal((15, 5), (task.Position.Line, task.Position.Column));
        Assert.Equal((6, 3), (group.Position.Line, group.Position.Column));
    }

    [Fact]
    public void QemuDocsStyle_HclAndJson_AreEqualJobs()
    {
        var fromHcl = JobFileLoader.Load(CorpusPath("qemu-docs-style.nomad.hcl"));
        var fromJson = JobFileLoader.Load(CorpusPath("qemu-docs-style.json"));
        Assert.Equal(fromHcl, fromJson);
        Assert.NotEqual(fromHcl.Position, fromJson.Position);
        Assert.Equal((2, 10), (fromJson.Position.Line, fromJson.Position.Column));
        var jsonTask = fromJson.Groups[0].Tasks[0];
        Assert.Equal((22, 11), (jsonTask.Position.Line, jsonTask.Position.Column));
    }

    [Fact]
    public void RoundTrip_ChangedSetting_MakesJobsDiffer()
    {
        var fromHcl = JobFileLoader.Load(CorpusPath("qemu-docs-style.nomad.hcl"));
        var json = File.ReadAllText(CorpusPath("qemu-docs-style.json"))
            .Replace("\"SIGTERM\"", "\"SIGINT\"", StringComparison.Ordinal);
        Assert.NotEqual(fromHcl, JobFileLoader.Parse(json, "x.json", "."));
    }

    [Fact]
    public void Mixed_ReadsBothGroupsAndIgnoresUnknownBlocks()
    {
        var job = JobFileLoader.Load(CorpusPath("mixed-docker-qemu.nomad.hcl"));
        Assert.Equal(["dc1", "dc2"], job.Datacenters);
        Assert.Equal(["web", "vm"], job.Groups.Select(g => g.Name));
        var web = job.Groups[0];
        Assert.Equal(2, web.Count);
        Assert.Equal("bridge", web.Network!.Mode);
        Assert.Equal(
            [("http", (int?)8080, (int?)80), ("metrics", null, null)],
            web.Network.Ports.Select(p => (p.Label, p.Static, p.To))
        );
        var nginx = web.Tasks[0];
        Assert.Equal("${NOMAD_UPSTREAM_ADDR_api}", nginx.Env["UPSTREAM"]);
        Assert.Equal(("4", "false"), (nginx.Env["WORKERS"], nginx.Env["DEBUG"]));
        Assert.Equal(("infra", "silver"), (nginx.Meta["team"], nginx.Meta["tier"]));
        Assert.Equal(256, nginx.Resources.MemoryMaxMb);
        var vm = job.Groups[1].Tasks[0];
        Assert.Equal(new HclObject([new("ssh", new HclNumber(22))]), vm.Config["port_map"]);
        Assert.Equal("single-node", vm.Env["discovery.type"]);
        Assert.Equal("${node.class}", vm.Env["NODE_CLASS"]);
        Assert.Equal(new HclString("${NOMAD_MEMORY_LIMIT}M"), ((HclList)vm.Config["args"]!)[3]);
        Assert.Equal(("gold", 2), (vm.Meta["tier"], vm.Resources.Cores));
        Assert.Equal(TaskSpec.DefaultKillTimeout, vm.KillTimeout);
        Assert.Null(vm.KillSignal);
    }

    [Fact]
    public void HeredocJob_KeepsRuntimeReferencesAndText()
    {
        var task = SingleTask(JobFileLoader.Load(CorpusPath("heredoc-interpolation.nomad.hcl")));
        Assert.Equal(new HclString("${NOMAD_TASK_DIR}/disk.img"), task.Config["image_path"]);
        var args = ((HclList)task.Config["args"]!).Items.Select(a => ((HclString)a).Value).ToArray();
        Assert.Equal("name=opt/motd,string=hello\tworld\n", args[1]);
        Assert.Equal("${NOMAD_JOB_NAME}-${NOMAD_ALLOC_INDEX}", args[3]);
        Assert.Equal("type=1,serial=${env[\"SERIAL\"]}", args[5]);
        Assert.Equal("literal=${NOT_INTERPOLATED}", args[6]);
        Assert.Equal(
            new HclString("#cloud-config\nhostname: ${NOMAD_TASK_NAME}\nruncmd:\n  - echo \"ready\"\n"),
            task.Config["cloud_init"]
        );
        Assert.Equal(new HclString("line one\n  line two\nline three\n"), task.Config["indented"]);
    }

    [Fact]
    public void BareJson_LegacyNetworkAndBigNumber_AreRead()
    {
        var job = JobFileLoader.Load(CorpusPath("bare-job.json"));
        var task = SingleTask(job);
        Assert.Equal("18446744073709551617", task.Config["big"]!.ToString());
        var network = Assert.Single(task.Resources.Networks);
        Assert.Equal(10, network.Mbits);
        Assert.Equal(5901, Assert.Single(network.Ports).Static);
        Assert.Equal((100, 300), (task.Resources.Cpu, task.Resources.MemoryMb));

        var legacy = SingleTask(JobFileLoader.Load(CorpusPath("legacy-task-network.nomad.hcl")));
        Assert.Equal(network, Assert.Single(legacy.Resources.Networks));
    }
}
