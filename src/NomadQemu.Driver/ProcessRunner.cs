using System.Diagnostics;

namespace NomadQemu.Driver;

/// <summary>Runs a short helper command (qemu --version, qemu-img) with a hard timeout and captured output.</summary>
internal static class ProcessRunner
{
    public sealed record Result(int ExitCode, string Stdout, string Stderr, bool TimedOut);

    public static async Task<Result> RunAsync(
        string file,
        IEnumerable<string> args,
        TimeSpan timeout,
        CancellationToken cancellationToken = default
    )
    {
        var start = new ProcessStartInfo(file)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }
        using var process = Process.Start(start) ?? throw new IOException($"cannot start {file}");
        process.StandardInput.Close();
        // Process.Dispose does not close streams once they were handed out through StandardOutput/StandardError:
        // without these usings every run (qemu-img per StartTask) left two pipe fds open until a GC.
        using var stdoutReader = process.StandardOutput;
        using var stderrReader = process.StandardError;
        var stdout = stdoutReader.ReadToEndAsync(cancellationToken);
        var stderr = stderrReader.ReadToEndAsync(cancellationToken);
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        cts.CancelAfter(timeout);
        try
        {
            await process.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            try
            {
                process.Kill(entireProcessTree: true);
            }
            catch (InvalidOperationException) { }
            await process.WaitForExitAsync(CancellationToken.None);
            return new Result(-1, await SafeRead(stdout), await SafeRead(stderr), TimedOut: true);
        }
        return new Result(process.ExitCode, await stdout, await stderr, TimedOut: false);
    }

    private static async Task<string> SafeRead(Task<string> read)
    {
        try
        {
            return await read;
        }
        catch (Exception e) when (e is IOException or OperationCanceledException)
        {
            return "";
        }
    }
}
