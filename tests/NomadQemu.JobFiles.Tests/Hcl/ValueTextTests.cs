using NomadQemu.JobFiles.Hcl;

namespace NomadQemu.JobFiles.Tests.Hcl;

public sealed class ValueTextTests
{
    [Fact]
    public void Render_NestedValue_QuotesStringsAndKeysAndExpandsCollections()
    {
        var value = new HclObject([
            new("say \"hi\"", new HclList([new HclString("a\\b\n"), new HclNumber(1.5m), HclValue.True])),
            new("empty", HclList.Empty),
            new("none", HclValue.Null),
        ]);
        Assert.Equal(
            "{\"say \\\"hi\\\"\" = [\"a\\\\b\\n\", 1.5, true], \"empty\" = [], \"none\" = null}",
            HclValueText.Render(value)
        );
        Assert.Equal(HclValueText.Render(value), value.ToString());
    }

    [Fact]
    public void Render_DoubledValue_AllocatesAboutItsLength()
    {
        HclValue value = new HclString("seed-value");
        for (var level = 0; level < 18; level++)
        {
            value = new HclObject([new("a", value), new("b", value)]);
        }
        var before = GC.GetAllocatedBytesForCurrentThread();
        var text = HclValueText.Render(value);
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        // The text itself (2 bytes a character) and the builder's chunks; rendering each level separately
        // allocated ~18 copies of it.
        Assert.True(allocated < text.Length * 2L * 4, $"{allocated} bytes allocated for {text.Length} characters");
    }
}
