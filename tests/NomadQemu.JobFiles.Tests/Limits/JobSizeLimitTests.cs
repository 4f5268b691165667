using System.Text;
using NomadQemu.JobFiles.Hcl;
using static NomadQemu.JobFiles.Tests.Jobs.JobTestHelpers;

namespace NomadQemu.JobFiles.Tests.Limits;

/// <summary>Limits on whole job files: size, merged meta, positions in large JSON, message length.</summary>
public sealed class JobSizeLimitTests
{
    [Fact]
    public void FileOverTheSizeLimit_IsRefusedWhileReading()
    {
        var path = Path.Combine(Path.GetTempPath(), $"big-{Guid.NewGuid():N}.hcl");
        try
        {
            File.WriteAllText(path, "# " + new string('x', HclLimits.MaxFileBytes));
            var error = Assert.Throws<HclException>(() => JobFileLoader.Load(path));
            Assert.Equal(path, error.FileName);
            Assert.Contains(
                $"larger than the limit of {HclLimits.MaxFileBytes} bytes",
                error.Detail,
                StringComparison.Ordinal
            );
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void JobMetaCopiedIntoManyTasks_StopsAtTheMergeLimit()
    {
        var meta = string.Join("\n", Enumerable.Range(0, 20_000).Select(i => $"    k{i} = \"v\""));
        var tasks = string.Concat(
            Enumerable.Range(0, 60).Select(i => $"    task \"t{i}\" {{\n      driver = \"q\"\n    }}\n")
        );
        var text = $"job \"j\" {{\n  meta {{\n{meta}\n  }}\n  group \"g\" {{\n{tasks}  }}\n}}\n";
        var error = ParseError(text);
        Assert.Contains($"more than {HclLimits.MaxMergedMetaEntries} entries", error.Detail, StringComparison.Ordinal);
        Assert.Contains("task \"t", error.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public void JsonJobWithManyTasksAndLongKeys_KeepsExactPositions()
    {
        // Long keys and a large Config used to cost path text per value; positions must still be exact.
        var longKey = new string('k', 1_000);
        var json = new StringBuilder(
            "{\"Job\": {\"ID\": \"x\", \"Meta\": {\""
                + longKey
                + "\": \"v\"},\n\"TaskGroups\": [{\"Name\": \"g\", \"Tasks\": [\n"
        );
        for (var i = 0; i < 2_000; i++)
        {
            json.Append(
                $"{{\"Name\": \"t{i}\", \"Driver\": \"q\", \"Config\": {{\"{longKey}\": [{string.Join(",", Enumerable.Repeat("{\"a\": 1}", 20))}]}}}},\n"
            );
        }
        json.Append("{\"Name\": \"last\", \"Driver\": 7}]}]}}\n");
        var error = Assert.Throws<HclException>(() => JobFileLoader.Parse(json.ToString(), "j.json", "."));
        Assert.Contains("\"Driver\" must be a string", error.Detail, StringComparison.Ordinal);
        Assert.Equal((2_003, 28), (error.Line, error.Column));
    }

    [Fact]
    public void ErrorInsideJsonConfig_PointsAtTheConfig()
    {
        var json =
            "{\"ID\": \"x\", \"TaskGroups\": [{\"Name\": \"g\", \"Tasks\": [{\"Name\": \"t\", \"Driver\": \"q\",\n"
            + "  \"Config\": {\"a\": [1, 1e999]}}]}]}";
        var error = Assert.Throws<HclException>(() => JobFileLoader.Parse(json, "j.json", "."));
        Assert.Contains("too large", error.Detail, StringComparison.Ordinal);
        Assert.Equal((2, 13), (error.Line, error.Column));
    }

    [Fact]
    public void HugeValueInAMessage_IsShortened()
    {
        var error = ParseError(Wrap($"driver = \"q\"\nkill_timeout = \"{new string('9', 100_000)}\""));
        Assert.Contains("\"kill_timeout\" must be a duration", error.Detail, StringComparison.Ordinal);
        Assert.InRange(error.Message.Length, 100, 1200);
        Assert.Contains("more characters", error.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public void LongSourceLine_IsShownAsAWindowAroundTheCaret()
    {
        var line = "x = [" + string.Join(",", Enumerable.Repeat("1", 50_000)) + ", ]]";
        var error = Assert.Throws<HclException>(() => HclParser.Parse(line, "long.hcl"));
        var lines = error.Format().Split('\n');
        Assert.Equal(3, lines.Length);
        Assert.InRange(lines[1].Length, 100, 210);
        Assert.Equal(']', lines[1][lines[2].Length - 1]);
        Assert.EndsWith("^", lines[2], StringComparison.Ordinal);
    }
}
