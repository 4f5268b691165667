using System.Diagnostics;
using System.Globalization;
using NomadQemu.JobFiles.Hcl;

namespace NomadQemu.JobFiles.Tests.Fuzz;

/// <summary>
/// Issue 10's fuzzer: for a bounded time (NOMAD_QEMU_FUZZ_SECONDS, default 20), mutations of the corpus and
/// generated hostile files go through the whole loader. Every input must give a job or an
/// <see cref="HclException"/> naming the file with line:column; never another exception, and never more
/// than <see cref="MaxAllocatedBytes"/> allocated for one input. Seeded: NOMAD_QEMU_FUZZ_SEED replays a run,
/// and every failure names the seed and saves the input.
/// </summary>
public sealed class JobFileFuzzTests(ITestOutputHelper output)
{
    /// <summary>What one input may allocate in total: the evaluation budget plus the file and its tree, with room.</summary>
    private const long MaxAllocatedBytes = 1L << 30;

    private const string FileName = "fuzz.hcl";

    [Fact]
    public void MutatedAndGeneratedJobFiles_LoadOrFailWithAPositionedError()
    {
        var seconds = int.TryParse(Environment.GetEnvironmentVariable("NOMAD_QEMU_FUZZ_SECONDS"), out var s) ? s : 20;
        var seed = int.TryParse(Environment.GetEnvironmentVariable("NOMAD_QEMU_FUZZ_SEED"), out var given)
            ? given
            : Random.Shared.Next();
        // Written at once (not only at the end): a crash of the test process must still leave the seed behind.
        Console.Error.WriteLine($"job-file fuzzer: seed {seed}, {seconds} s (replay with NOMAD_QEMU_FUZZ_SEED={seed})");
        output.WriteLine($"seed {seed}");
        var random = new Random(seed);
        var corpus = JobFileMutator.LoadCorpus();
        Assert.True(corpus.Count >= 5, $"the seed corpus is missing: found {corpus.Count} files");

        var clock = Stopwatch.StartNew();
        var outcomes = new Dictionary<string, int>(StringComparer.Ordinal);
        var index = 0;
        while (clock.Elapsed < TimeSpan.FromSeconds(seconds))
        {
            var (kind, text) =
                random.Next(3) == 0
                    ? HostileInputs.Next(random, worst: random.Next(8) == 0)
                    : ("mutation", JobFileMutator.Mutate(random, corpus[random.Next(corpus.Count)], corpus));
            var outcome = RunOne(text, kind, seed, index++);
            outcomes[outcome] = outcomes.GetValueOrDefault(outcome) + 1;
        }
        foreach (var (outcome, count) in outcomes.OrderByDescending(o => o.Value))
        {
            output.WriteLine($"{count, 6}  {outcome}");
        }
        Assert.True(index >= 20, $"only {index} inputs ran in {seconds} s");
        Assert.Contains(outcomes.Keys, o => o.StartsWith("loaded", StringComparison.Ordinal));
        Assert.Contains(outcomes.Keys, o => o.StartsWith("error", StringComparison.Ordinal));
    }

    /// <summary>Runs one input and returns its outcome class; throws (failing the test) on a bad outcome.</summary>
    private static string RunOne(string text, string kind, int seed, int index)
    {
        var allocatedBefore = GC.GetAllocatedBytesForCurrentThread();
        string outcome;
        try
        {
            var job = JobFileLoader.Parse(text, FileName, AppContext.BaseDirectory, null, _ => null);
            // Walk every value the way the runner does, and compare the job with itself: both recurse into values.
            foreach (var task in job.Groups.SelectMany(g => g.Tasks))
            {
                RuntimeInterpolator.Interpolate(
                    task.Config,
                    new Dictionary<string, string> { ["NOMAD_TASK_DIR"] = "/t" }
                );
                _ = task.Config.ToString();
            }
            Assert.True(job.Equals(job));
            outcome = $"loaded ({kind})";
        }
        catch (HclException error)
        {
            var whole = error.Detail.Contains("larger than the limit", StringComparison.Ordinal);
            if (error.FileName != FileName || (error.Line < 1 && !whole) || error.Column < (whole ? 0 : 1))
            {
                Fail(seed, index, kind, text, $"an error without file:line:col: {error.Message}");
            }
            _ = error.Format();
            outcome = $"error ({kind}): {Category(error.Detail)}";
        }
#pragma warning disable CA1031 // catching everything is the point: any other exception is the bug being looked for
        catch (Exception other)
#pragma warning restore CA1031
        {
            Fail(seed, index, kind, text, $"unhandled {other}");
            throw;
        }
        var allocated = GC.GetAllocatedBytesForCurrentThread() - allocatedBefore;
        if (allocated > MaxAllocatedBytes)
        {
            Fail(seed, index, kind, text, $"allocated {allocated / (1 << 20)} MiB for one input");
        }
        return outcome;
    }

    /// <summary>The message without its variable parts, to count outcomes by kind.</summary>
    private static string Category(string detail)
    {
        var words = detail.Split(' ').Take(4).Select(w => w.Any(char.IsDigit) || w.Contains('"') ? "_" : w);
        return string.Join(' ', words);
    }

    private static void Fail(int seed, int index, string kind, string text, string what)
    {
        var saved = JobFileMutator.Save(text, seed, index);
        Assert.Fail(
            string.Create(
                CultureInfo.InvariantCulture,
                $"seed {seed}, input {index} ({kind}), saved to {saved}: {what}\ninput: {JobFileMutator.Describe(text)}"
            )
        );
    }
}
