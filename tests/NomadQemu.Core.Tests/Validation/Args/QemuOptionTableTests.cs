using System.Diagnostics;
using NomadQemu.Core.Validation.Args;

namespace NomadQemu.Core.Tests.Validation.Args;

/// <summary>
/// Keeps the grammar table honest against the installed emulator: every option <c>-help</c> lists is in the table,
/// and every table row has the arity QEMU's own parser enforces. Arity is probed as
/// <c>qemu-system-x86_64 -version -OPT</c>: QEMU's first pass refuses a valued option at the end of the command
/// line ("requires an argument") and its second pass exits at <c>-version</c> before acting on anything else.
/// </summary>
public sealed class QemuOptionTableTests
{
    private const string Emulator = "qemu-system-x86_64";
    private const string Sentinel = "-zz-not-an-option";

    [Fact]
    public void Table_HasEveryOptionTheInstalledQemuLists()
    {
        var listed = HelpOptions(Run("-help").Stdout);

        Assert.True(listed.Count > 100, $"-help listed only {listed.Count} options: {string.Join(" ", listed)}");
        var missing = listed.Where(name => QemuOptionTable.Find(name) is null).ToArray();
        Assert.Empty(missing);
    }

    [Fact]
    public void Table_ArityMatchesTheInstalledQemu()
    {
        List<string> wrong = [];
        var valued = QemuOptionTable.All.Where(o => o.TakesValue && o.Since is null).ToArray();

        // Rows QEMU lacks must say which later version brought them (checked per option below).
        // All valued options at once: each consumes the sentinel; a flag among them would meet it as an option.
        var batch = Run(["-version", .. valued.SelectMany(o => new[] { o.Name, Sentinel })]);
        var batchOk = batch.ExitCode == 0;
        var probes = QemuOptionTable.All.Where(o => !o.TakesValue || !batchOk || o.Since is not null);
        Parallel.ForEach(
            probes,
            new ParallelOptions { MaxDegreeOfParallelism = 4 },
            spec =>
            {
                var actual = Probe(spec.Name);
                var expected =
                    spec.Since is not null && actual == Arity.Unknown ? Arity.Unknown
                    : spec.TakesValue ? Arity.Value
                    : Arity.Flag;
                if (actual != expected)
                {
                    lock (wrong)
                    {
                        wrong.Add($"{spec.Name}: table says {expected}, {Emulator} says {actual}");
                    }
                }
            }
        );

        Assert.Empty(wrong);
        Assert.True(batchOk, $"the batch probe failed without a single wrong row: {batch.Stderr}");
    }

    [Theory]
    [InlineData("-help", Arity.Flag)]
    [InlineData("-device", Arity.Value)]
    [InlineData("-zz-no-such-option", Arity.Unknown)]
    public void Probe_TellsTheThreeCasesApart(string option, Arity expected)
    {
        Assert.Equal(expected, Probe(option));
    }

    public enum Arity
    {
        Flag,
        Value,
        Unknown,
    }

    private static Arity Probe(string option)
    {
        var result = Run("-version", option);
        if (result.ExitCode == 0)
        {
            return Arity.Flag;
        }
        if (result.Stderr.Contains("requires an argument", StringComparison.Ordinal))
        {
            return Arity.Value;
        }
        Assert.Contains("invalid option", result.Stderr, StringComparison.Ordinal);
        return Arity.Unknown;
    }

    /// <summary>Option names from <c>-help</c>: lines starting with a dash; "-h or -help", "-fda/-fdb" and "--preconfig" spelled out.</summary>
    private static List<string> HelpOptions(string help)
    {
        List<string> names = [];
        foreach (var line in help.Split('\n'))
        {
            if (!line.StartsWith('-'))
            {
                continue;
            }
            var words = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            List<string> spelled = [.. words[0].Split('/')];
            if (words.Length > 2 && words[1] == "or")
            {
                spelled.Add(words[2]);
            }
            foreach (var word in spelled)
            {
                var name = QemuArgsParser.CanonicalName(word)!;
                if (!names.Contains(name))
                {
                    names.Add(name);
                }
            }
        }
        return names;
    }

    private sealed record Result(int ExitCode, string Stdout, string Stderr);

    private static Result Run(params string[] arguments)
    {
        var start = new ProcessStartInfo(Emulator)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }
        using var process = Process.Start(start)!;
        var stderr = process.StandardError.ReadToEndAsync();
        var stdout = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        return new Result(process.ExitCode, stdout, stderr.Result);
    }
}
