using System.Globalization;
using System.Text.RegularExpressions;
using NomadQemu.Protocol.Drivers;
using NomadQemu.TestKit;

namespace NomadQemu.E2E.Tests.WarmStart;

/// <summary>Starting, probing and writing to warm-start tasks of the test guest over the plugin's gRPC API.</summary>
internal static partial class WarmTask
{
    public static Dictionary<string, object?> Block(string readyKey = "guest_agent", object? readyValue = null) =>
        new()
        {
            ["ready"] = new Dictionary<string, object?>
            {
                ["guest_agent"] = readyKey == "guest_agent" ? (readyValue ?? true) : null,
                ["guest_port"] = readyKey == "guest_port" ? readyValue : null,
                ["delay"] = readyKey == "delay" ? readyValue : null,
            },
            ["timeout"] = "10m",
        };

    /// <summary>Starts the task; returns the plugin's answer (its handle, for RecoverTask).</summary>
    public static async Task<StartTaskResponse> StartAsync(
        PluginSession session,
        VmTask task,
        CancellationToken ct,
        long memoryMb = 256,
        string jobId = "e2e"
    )
    {
        var config = task.TaskConfig(
            VmTask.DriverConfig([("guest_agent", true), ("warm_start", Block()), .. task.DirectKernelBoot()]),
            memoryMb
        );
        config.JobId = jobId;
        config.Namespace = "default";
        return await session.Driver.StartTaskAsync(new StartTaskRequest { Task = config }, cancellationToken: ct);
    }

    /// <summary>Runs the published binary's CLI (e.g. <c>templates list</c>) to its end.</summary>
    public static Task<(int ExitCode, string Stdout, string Stderr)> CliAsync(
        CancellationToken ct,
        params string[] arguments
    ) => RunAsync(TestEnvironment.Binary, arguments, ct);

    /// <summary>Runs a program to its end, capturing its output.</summary>
    public static async Task<(int ExitCode, string Stdout, string Stderr)> RunAsync(
        string program,
        IEnumerable<string> arguments,
        CancellationToken ct
    )
    {
        var start = new System.Diagnostics.ProcessStartInfo(program)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }
        using var process = System.Diagnostics.Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync(ct);
        var stderr = process.StandardError.ReadToEndAsync(ct);
        await process.WaitForExitAsync(ct);
        return (process.ExitCode, await stdout, await stderr);
    }

    public static async Task<double> UptimeAsync(VmTask task, CancellationToken ct) =>
        double.Parse(
            (await task.WaitForPageAsync("/cgi-bin/uptime", TestEnvironment.Scaled(30), ct)).Trim(),
            CultureInfo.InvariantCulture
        );

    public static async Task<string> ExecAsync(PluginSession session, VmTask task, string script, CancellationToken ct)
    {
        var result = await session.Driver.ExecTaskAsync(
            new ExecTaskRequest
            {
                TaskId = task.TaskId,
                Command = { "/bin/sh", "-c", script },
                Timeout = VmTask.Seconds(60),
            },
            cancellationToken: ct
        );
        Assert.True(
            result.Result.ExitCode == 0,
            $"{script}: exit {result.Result.ExitCode}: {result.Stderr.ToStringUtf8()}"
        );
        return result.Stdout.ToStringUtf8();
    }

    /// <summary>The guest's boot-disk record partition (sda2 or vda2), from the record the guest wrote at boot.</summary>
    public static async Task<string> RecordPartitionAsync(PluginSession session, VmTask task, CancellationToken ct)
    {
        var record = await ExecAsync(session, task, "cat /run/test-guest/disk-record", ct);
        var match = DevPattern().Match(record);
        Assert.True(match.Success, $"no record partition: {record}");
        return match.Groups[1].Value;
    }

    /// <summary>Writes <paramref name="marker"/> to sector 1 of the record partition, past the guest's boot record.</summary>
    public static Task<string> WriteMarkerAsync(
        PluginSession session,
        VmTask task,
        string partition,
        string marker,
        CancellationToken ct
    ) =>
        ExecAsync(
            session,
            task,
            $"printf '%s\\n' {marker} | dd of=/dev/{partition} bs=512 seek=1 count=1 conv=sync,notrunc,fsync 2>/dev/null && echo written",
            ct
        );

    /// <summary>Sector 1 as the disk holds it (the page cache dropped first, so a read goes to the disk).</summary>
    public static async Task<string> ReadMarkerAsync(
        PluginSession session,
        VmTask task,
        string partition,
        CancellationToken ct
    ) =>
        (
            await ExecAsync(
                session,
                task,
                $"sync; echo 3 > /proc/sys/vm/drop_caches; dd if=/dev/{partition} bs=512 skip=1 count=1 2>/dev/null | tr -d '\\000' | head -n 1",
                ct
            )
        ).Trim();

    [GeneratedRegex(@"dev=(\S+)")]
    private static partial Regex DevPattern();
}
