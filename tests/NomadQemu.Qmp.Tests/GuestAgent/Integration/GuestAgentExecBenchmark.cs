using System.Diagnostics;
using System.Globalization;
using NomadQemu.Qmp.GuestAgent;

namespace NomadQemu.Qmp.Tests.GuestAgent.Integration;

/// <summary>
/// A measurement, not a gate (it only runs with NOMAD_QEMU_QGA_BENCH=1): the round trip of a program run through
/// the real qemu-ga on this host (guest-exec, then guest-exec-status polls until it exits), against spawning the
/// same program directly from .NET, interleaved in the same run so both see the same machine load.
/// Run: NOMAD_QEMU_QGA_BENCH=1 dotnet test tests/NomadQemu.Qmp.Tests --filter GuestAgentExecBenchmark
/// --logger "console;verbosity=detailed"
/// </summary>
public sealed class GuestAgentExecBenchmark
{
    private const int TrueRuns = 200;
    private const int OutputRuns = 30;
    private const int OutputBytes = 1024 * 1024;

    [Fact]
    public async Task ExecRoundTrip_RealHostAgent_ComparedWithSpawningDirectly()
    {
        Assert.SkipUnless(
            Environment.GetEnvironmentVariable("NOMAD_QEMU_QGA_BENCH") == "1",
            "benchmark; run with NOMAD_QEMU_QGA_BENCH=1"
        );
        using var timeout = TestTimeout.Start(900);
        await using var host = HostGuestAgent.Start();
        await using var client = host.CreateClient();
        var trueRequest = new GuestExecRequest("true");
        var outputRequest = new GuestExecRequest(
            "head",
            "-c",
            OutputBytes.ToString(CultureInfo.InvariantCulture),
            "/dev/zero"
        );
        for (var i = 0; i < 10; i++)
        {
            await client.RunAsync(trueRequest, timeout.Token);
            await SpawnAsync("true", [], timeout.Token);
        }

        var ping = new List<double>();
        var agentTrue = new List<double>();
        var directTrue = new List<double>();
        for (var i = 0; i < TrueRuns; i++)
        {
            ping.Add(await TimeAsync(() => client.PingAsync(timeout.Token)));
            agentTrue.Add(await TimeAsync(() => RunExpectingAsync(client, trueRequest, 0, timeout.Token)));
            directTrue.Add(await TimeAsync(() => SpawnExpectingAsync("true", [], 0, timeout.Token)));
        }

        var agentOutput = new List<double>();
        var directOutput = new List<double>();
        for (var i = 0; i < OutputRuns; i++)
        {
            agentOutput.Add(
                await TimeAsync(() => RunExpectingAsync(client, outputRequest, OutputBytes, timeout.Token))
            );
            directOutput.Add(
                await TimeAsync(() =>
                    SpawnExpectingAsync(
                        "head",
                        ["-c", OutputBytes.ToString(CultureInfo.InvariantCulture), "/dev/zero"],
                        OutputBytes,
                        timeout.Token
                    )
                )
            );
        }

        var report = string.Join(
            Environment.NewLine,
            $"load average at end: {File.ReadAllText("/proc/loadavg").Trim()}",
            Row("guest-ping round trip", ping),
            Row("qga exec `true` (exec + status polls)", agentTrue),
            Row("baseline: Process.Start(`true`) + exit", directTrue),
            Row("qga exec 1 MiB stdout", agentOutput),
            Row("baseline: Process.Start 1 MiB stdout", directOutput)
        );
        TestContext.Current.TestOutputHelper!.WriteLine(report);
        Assert.Equal(TrueRuns, agentTrue.Count);
    }

    private static async Task RunExpectingAsync(
        GuestAgentClient client,
        GuestExecRequest request,
        int outputBytes,
        CancellationToken cancellationToken
    )
    {
        var status = await client.RunAsync(request, cancellationToken);
        Assert.Equal(0, status.ExitCode);
        Assert.Equal(outputBytes, status.StandardOutput.Length);
    }

    private static async Task SpawnExpectingAsync(
        string program,
        string[] arguments,
        int outputBytes,
        CancellationToken cancellationToken
    )
    {
        var (exitCode, output) = await SpawnAsync(program, arguments, cancellationToken);
        Assert.Equal(0, exitCode);
        Assert.Equal(outputBytes, output);
    }

    // What a fair local equivalent does: start, capture stdout and stderr, wait for the exit.
    private static async Task<(int ExitCode, long Output)> SpawnAsync(
        string program,
        string[] arguments,
        CancellationToken cancellationToken
    )
    {
        var startInfo = new ProcessStartInfo(program)
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var argument in arguments)
        {
            startInfo.ArgumentList.Add(argument);
        }

        using var process = Process.Start(startInfo)!;
        using var output = new MemoryStream();
        var stdout = process.StandardOutput.BaseStream.CopyToAsync(output, cancellationToken);
        var stderr = process.StandardError.ReadToEndAsync(cancellationToken);
        await Task.WhenAll(stdout, stderr);
        await process.WaitForExitAsync(cancellationToken);
        return (process.ExitCode, output.Length);
    }

    private static async Task<double> TimeAsync(Func<Task> action)
    {
        var clock = Stopwatch.StartNew();
        await action();
        return clock.Elapsed.TotalMilliseconds;
    }

    private static string Row(string name, List<double> samples)
    {
        var sorted = samples.Order().ToArray();
        double At(double q) => sorted[(int)Math.Min(sorted.Length - 1, Math.Ceiling(q * sorted.Length) - 1)];
        return string.Create(
            CultureInfo.InvariantCulture,
            $"{name, -42} p50 {At(0.5), 8:0.00} ms   p95 {At(0.95), 8:0.00} ms   min {sorted[0], 8:0.00}   max {sorted[^1], 8:0.00}   n={sorted.Length}"
        );
    }
}
