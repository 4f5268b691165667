using NomadQemu.Bench;

// scripts/bench.sh is the documented way in: it builds what is needed and passes --binary/--guest.
try
{
    var repoRoot = FindRepoRoot();
    var options = BenchOptions.Parse(args, repoRoot);
    using var cancel = new CancellationTokenSource();
    Console.CancelKeyPress += (_, e) =>
    {
        e.Cancel = true;
        cancel.Cancel();
    };
    var outcome = await BenchSuite.RunAsync(options, Console.Error, cancel.Token);
    Console.Out.Write(await File.ReadAllTextAsync(outcome.MarkdownPath));
    Console.Error.WriteLine($"results: {outcome.MarkdownPath}");
    foreach (var failure in outcome.Failures)
    {
        Console.Error.WriteLine("FAILED " + failure);
    }
    return outcome.Failures.Count == 0 ? 0 : 1;
}
catch (ArgumentException e)
{
    Console.Error.WriteLine($"bench: {e.Message}");
    return 2;
}

static string FindRepoRoot()
{
    for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
    {
        if (File.Exists(Path.Combine(dir.FullName, "NomadQemu.slnx")))
        {
            return dir.FullName;
        }
    }
    return Directory.GetCurrentDirectory();
}
