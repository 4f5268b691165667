using System.Diagnostics;
using System.Globalization;
using NomadQemu.Bench.Measure;
using NomadQemu.Bench.Report;
using NomadQemu.Qmp.GuestAgent;

namespace NomadQemu.Bench.Items;

/// <summary>
/// Item 12: the guest agent client's own cost, without a guest. A program run through the real qemu-ga on this
/// host (guest-exec, then guest-exec-status polls until it exits) against spawning the same program directly
/// from .NET, interleaved so both see the same load. Item 9 measures the same through the plugin and a TCG guest,
/// where the guest dominates; this one isolates the protocol and the polling.
/// </summary>
public static class HostAgentExecItem
{
    private const int OutputBytes = 1024 * 1024;
    private static readonly string[] s_outputArguments =
    [
        "-c",
        OutputBytes.ToString(CultureInfo.InvariantCulture),
        "/dev/zero",
    ];

    public static async Task RunAsync(BenchContext context, ReportSection section)
    {
        var ct = context.Cancellation;
        await using var agent = await HostQemuGa.StartAsync(ct);
        await using var client = agent.CreateClient();
        var trueRequest = new GuestExecRequest("true");
        var outputRequest = new GuestExecRequest("head", s_outputArguments);
        for (var i = 0; i < 10; i++)
        {
            // Uncounted warm-up: the session's sync, the JIT, the page cache for both programs.
            await RunExpectingAsync(client, trueRequest, 0, ct);
            await SpawnExpectingAsync("true", [], 0, ct);
        }

        var ping = new Sample("ms");
        var agentTrue = new Sample("ms");
        var directTrue = new Sample("ms");
        for (var i = 0; i < context.Options.HostAgentExecRuns; i++)
        {
            ping.Add(await TimedMsAsync(() => client.PingAsync(ct)));
            agentTrue.Add(await TimedMsAsync(() => RunExpectingAsync(client, trueRequest, 0, ct)));
            directTrue.Add(await TimedMsAsync(() => SpawnExpectingAsync("true", [], 0, ct)));
        }
        section.Add(
            "qemu-ga exec `true` (guest-exec + status polls)",
            agentTrue,
            "Process.Start(`true`) + exit",
            directTrue
        );
        section.Add(
            "qemu-ga exec `true` (guest-exec + status polls)",
            agentTrue,
            "guest-ping round trip (the protocol's floor)",
            ping
        );

        var agentOutput = new Sample("ms");
        var directOutput = new Sample("ms");
        for (var i = 0; i < context.Options.HostAgentOutputRuns; i++)
        {
            agentOutput.Add(await TimedMsAsync(() => RunExpectingAsync(client, outputRequest, OutputBytes, ct)));
            directOutput.Add(await TimedMsAsync(() => SpawnExpectingAsync("head", s_outputArguments, OutputBytes, ct)));
        }
        section.Add(
            "qemu-ga exec writing 1 MiB to stdout",
            agentOutput,
            "the same command by Process.Start",
            directOutput
        );
        section.Note(
            $"The host's qemu-ga on a unix socket (no guest, host-changing commands blocked); the client with the driver's default options (status polls from 1 ms, backing off to 100 ms). Every run checked: exit 0 and the expected stdout length. Load average at the end: {File.ReadAllText("/proc/loadavg").Trim()}."
        );
    }

    private static async Task RunExpectingAsync(
        GuestAgentClient client,
        GuestExecRequest request,
        int outputBytes,
        CancellationToken ct
    )
    {
        var status = await client.RunAsync(request, ct);
        if (status.ExitCode != 0 || status.StandardOutput.Length != outputBytes)
        {
            throw new InvalidOperationException(
                $"qemu-ga ran {request.Path}: exit {status.ExitCode}, {status.StandardOutput.Length} bytes of stdout (expected 0 and {outputBytes})"
            );
        }
    }

    // What a fair local equivalent does: start, capture stdout and stderr, wait for the exit.
    private static async Task SpawnExpectingAsync(
        string program,
        string[] arguments,
        int outputBytes,
        CancellationToken ct
    )
    {
        var start = new ProcessStartInfo(program)
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }
        using var process = Process.Start(start) ?? throw new InvalidOperationException($"cannot start {program}");
        using var output = new MemoryStream();
        await Task.WhenAll(
            process.StandardOutput.BaseStream.CopyToAsync(output, ct),
            process.StandardError.ReadToEndAsync(ct)
        );
        await process.WaitForExitAsync(ct);
        if (process.ExitCode != 0 || output.Length != outputBytes)
        {
            throw new InvalidOperationException(
                $"{program}: exit {process.ExitCode}, {output.Length} bytes of stdout (expected 0 and {outputBytes})"
            );
        }
    }

    private static async Task<double> TimedMsAsync(Func<Task> action)
    {
        var watch = Stopwatch.StartNew();
        await action();
        return watch.Elapsed.TotalMilliseconds;
    }
}
