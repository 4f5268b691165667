using NomadQemu.JobFiles.Hcl;

namespace NomadQemu.JobFiles.Tests.Jobs;

public sealed class RuntimeInterpolatorTests
{
    private static readonly Dictionary<string, string> s_taskEnv = new()
    {
        ["NOMAD_TASK_DIR"] = "/alloc/t/local",
        ["NOMAD_ALLOC_INDEX"] = "0",
        ["HOME"] = "/root",
        ["attr.kernel.name"] = "linux",
    };

    [Theory]
    [InlineData("${NOMAD_TASK_DIR}/disk.img", "/alloc/t/local/disk.img")]
    [InlineData("vm-${NOMAD_ALLOC_INDEX}-${NOMAD_ALLOC_INDEX}", "vm-0-0")]
    [InlineData("${env[\"HOME\"]}/.ssh", "/root/.ssh")]
    [InlineData("${HOME}", "/root")]
    [InlineData("${ NOMAD_TASK_DIR }", "/alloc/t/local")]
    [InlineData("${attr.kernel.name}", "linux")]
    [InlineData("${NOMAD_UNKNOWN}/x", "${NOMAD_UNKNOWN}/x")]
    [InlineData("${env[\"NOPE\"]}", "${env[\"NOPE\"]}")]
    [InlineData("${meta.rack}", "${meta.rack}")]
    [InlineData("no references", "no references")]
    [InlineData("unclosed ${NOMAD_TASK_DIR", "unclosed ${NOMAD_TASK_DIR")]
    [InlineData("$NOMAD_TASK_DIR {x}", "$NOMAD_TASK_DIR {x}")]
    [InlineData("${}", "${}")]
    [InlineData("", "")]
    public void Interpolate_ReplacesKnownNamesOnly(string text, string expected) =>
        Assert.Equal(expected, RuntimeInterpolator.Interpolate(text, s_taskEnv));

    [Fact]
    public void Interpolate_ValueTree_ReplacesInsideListsAndObjects()
    {
        HclValue config = new HclObject([
            new("image_path", new HclString("${NOMAD_TASK_DIR}/a.img")),
            new(
                "args",
                new HclList([new HclString("-name"), new HclString("vm${NOMAD_ALLOC_INDEX}"), new HclNumber(2)])
            ),
        ]);
        var expected = new HclObject([
            new("image_path", new HclString("/alloc/t/local/a.img")),
            new("args", new HclList([new HclString("-name"), new HclString("vm0"), new HclNumber(2)])),
        ]);
        Assert.Equal(expected, RuntimeInterpolator.Interpolate(config, s_taskEnv));
    }

    [Fact]
    public void Interpolate_SharedParts_StayShared_SoADoubledValueCostsNothingToWalk()
    {
        // locals { l1 = {a = local.l0, b = local.l0} ... l30 } gives a value of 2^30 leaves in 30 objects.
        HclValue value = new HclString("${NOMAD_TASK_DIR}/x");
        for (var level = 0; level < 30; level++)
        {
            value = new HclObject([new("a", value), new("b", value)]);
        }
        var before = GC.GetAllocatedBytesForCurrentThread();
        var result = (HclObject)RuntimeInterpolator.Interpolate(value, s_taskEnv);
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.Same(result["a"], result["b"]);
        var leaf = result;
        while (leaf["a"] is HclObject inner)
        {
            leaf = inner;
        }
        Assert.Equal(new HclString("/alloc/t/local/x"), leaf["a"]);
        Assert.True(allocated < 1 << 20, $"interpolating a shared value allocated {allocated} bytes");
    }

    [Fact]
    public void Interpolate_NothingToFill_ReturnsTheSameValue()
    {
        var config = new HclObject([new("args", new HclList([new HclString("-m"), new HclString("512")]))]);
        Assert.Same(config, RuntimeInterpolator.Interpolate(config, s_taskEnv));
    }

    [Fact]
    public void ParsedJob_ThenInterpolated_GivesRealPaths()
    {
        var job = JobFileLoader.Load(JobTestHelpers.CorpusPath("heredoc-interpolation.nomad.hcl"));
        var image = (HclString)JobTestHelpers.SingleTask(job).Config["image_path"]!;
        Assert.Equal("/alloc/t/local/disk.img", RuntimeInterpolator.Interpolate(image.Value, s_taskEnv));
    }
}
