using System.Diagnostics;
using NomadQemu.TestKit;

namespace NomadQemu.CloudInit.Tests.Support;

/// <summary>Runs an independent host tool to completion (bounded), capturing its output.</summary>
internal static class ExternalTool
{
    public sealed record Result(int ExitCode, byte[] Stdout, string Stderr)
    {
        public string Text => System.Text.Encoding.UTF8.GetString(Stdout);
    }

    public static async Task<Result> RunAsync(string program, params string[] arguments)
    {
        var startInfo = new ProcessStartInfo(program)
        {
            UseShellExecute = false,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var argument in arguments)
        {
            startInfo.ArgumentList.Add(argument);
        }
        // Tools print dates and messages in the C locale whatever the machine's.
        startInfo.Environment["LC_ALL"] = "C";
        using var process = Process.Start(startInfo) ?? throw new InvalidOperationException($"{program} did not start");
        process.StandardInput.Close();
        using var timeout = new CancellationTokenSource(TestEnvironment.Scaled(60));
        var stdout = new MemoryStream();
        var copy = process.StandardOutput.BaseStream.CopyToAsync(stdout, timeout.Token);
        var stderr = process.StandardError.ReadToEndAsync(timeout.Token);
        try
        {
            await process.WaitForExitAsync(timeout.Token);
            await copy;
            return new Result(process.ExitCode, stdout.ToArray(), await stderr);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{program} {string.Join(' ', arguments)} did not finish in time");
        }
    }

    /// <summary>Runs the tool and fails the test (with its stderr) unless it exits 0.</summary>
    public static async Task<Result> RunCheckedAsync(string program, params string[] arguments)
    {
        var result = await RunAsync(program, arguments);
        Assert.True(
            result.ExitCode == 0,
            $"{program} {string.Join(' ', arguments)} exited {result.ExitCode}: {result.Stderr}{result.Text}"
        );
        return result;
    }
}
