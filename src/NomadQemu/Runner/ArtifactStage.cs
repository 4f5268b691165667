using System.Globalization;
using NomadQemu.Artifacts;
using Spectre.Console;

namespace NomadQemu.Runner;

/// <summary>
/// Fetches every task's artifacts into its task dir before anything starts, through the shared
/// content-addressed cache. A terminal gets a progress bar per artifact; anything else (CI logs, tests)
/// gets plain, throttled lines. Any failure stops the run with a one-line reason naming the task.
/// </summary>
internal sealed class ArtifactStage(ArtifactFetcher fetcher, ConsoleSink console)
{
    private static readonly TimeSpan s_plainInterval = TimeSpan.FromSeconds(2);

    public static bool UseProgressBars =>
        !Console.IsOutputRedirected
        && AnsiConsole.Profile.Capabilities.Interactive
        && Environment.GetEnvironmentVariable("TERM") is not (null or "dumb");

    /// <exception cref="RunnerException">Download, checksum, unpack or placement failed.</exception>
    public async Task FetchAllAsync(
        IReadOnlyList<(PlannedTask Task, string TaskDir)> work,
        CancellationToken cancellationToken
    )
    {
        var jobs = work.SelectMany(w => w.Task.Artifacts.Select(a => (w.Task, w.TaskDir, Artifact: a))).ToList();
        if (jobs.Count == 0)
        {
            return;
        }
        if (UseProgressBars)
        {
            await AnsiConsole
                .Progress()
                .AutoClear(false)
                .Columns(
                    new TaskDescriptionColumn(),
                    new ProgressBarColumn(),
                    new PercentageColumn(),
                    new DownloadedColumn(),
                    new TransferSpeedColumn()
                )
                .StartAsync(async context =>
                {
                    foreach (var (task, taskDir, artifact) in jobs)
                    {
                        var bar = context.AddTask(
                            Markup.Escape($"{task.Spec.Name}: {Path.GetFileName(artifact.Source)}"),
                            maxValue: 1
                        );
                        var progress = new SyncProgress(p =>
                        {
                            bar.MaxValue = p.TotalBytes is > 0 ? p.TotalBytes.Value : Math.Max(1, p.BytesDone);
                            bar.Value = p.BytesDone;
                        });
                        var result = await FetchOneAsync(task, taskDir, artifact, progress, cancellationToken);
                        bar.Description = Markup.Escape(
                            $"{task.Spec.Name}: {Path.GetFileName(result.Path)}{(result.FromCache ? " (cached)" : "")}"
                        );
                        bar.Value = bar.MaxValue;
                        bar.StopTask();
                    }
                });
            return;
        }
        foreach (var (task, taskDir, artifact) in jobs)
        {
            var last = DateTime.MinValue;
            var lastPhase = (ArtifactPhase?)null;
            var progress = new SyncProgress(p =>
            {
                if (p.Phase == lastPhase && DateTime.UtcNow - last < s_plainInterval)
                {
                    return;
                }
                last = DateTime.UtcNow;
                lastPhase = p.Phase;
                console.Line(
                    $"{task.Spec.Name}: artifact {p.Source}: {p.Phase.ToString().ToLowerInvariant()} {Size(p.BytesDone)}{(p.TotalBytes is { } total ? " of " + Size(total) : "")}"
                );
            });
            var result = await FetchOneAsync(task, taskDir, artifact, progress, cancellationToken);
            console.Line(
                $"{task.Spec.Name}: artifact ready: {result.Path}{(result.FromCache ? " (from cache)" : "")}{(result.Checksum is null ? "" : ", checksum verified")}"
            );
        }
    }

    private async Task<ArtifactResult> FetchOneAsync(
        PlannedTask task,
        string taskDir,
        ArtifactRequest artifact,
        IProgress<ArtifactProgress> progress,
        CancellationToken cancellationToken
    )
    {
        try
        {
            return await fetcher.FetchAsync(artifact, taskDir, progress, cancellationToken);
        }
        catch (ArtifactException e)
        {
            throw new RunnerException(RunnerExit.ArtifactFailed, $"task \"{task.Spec.Name}\": {e.Message}", e);
        }
    }

    private static string Size(long bytes) =>
        bytes >= 1 << 20 ? (bytes / 1048576.0).ToString("0.0", CultureInfo.InvariantCulture) + " MiB"
        : bytes >= 1 << 10 ? (bytes / 1024.0).ToString("0.0", CultureInfo.InvariantCulture) + " KiB"
        : bytes.ToString(CultureInfo.InvariantCulture) + " B";

    /// <summary>Progress&lt;T&gt; posts to the thread pool, so reports could arrive after the fetch ended; this reports inline.</summary>
    private sealed class SyncProgress(Action<ArtifactProgress> report) : IProgress<ArtifactProgress>
    {
        public void Report(ArtifactProgress value) => report(value);
    }
}
