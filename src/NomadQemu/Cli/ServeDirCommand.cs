using System.CommandLine;
using System.Globalization;
using System.Net;
using NomadQemu.Runner;

namespace NomadQemu.Cli;

/// <summary>Hidden `serve-dir DIR`: the demo's loopback artifact server (see <see cref="StaticFileServer"/>).</summary>
internal static class ServeDirCommand
{
    public static Command Create()
    {
        var directory = new Argument<string>("DIR") { Description = "The directory whose files are served." };
        var port = new Option<int>("--port")
        {
            Description = "Port on 127.0.0.1 (0 picks a free one).",
            DefaultValueFactory = _ => 0,
        };
        var portFile = new Option<string?>("--port-file")
        {
            Description = "Write the chosen port to this file once listening.",
        };
        var command = new Command(
            "serve-dir",
            "Serve a directory over HTTP on 127.0.0.1 only (used by scripts/demo.sh)."
        )
        {
            directory,
            port,
            portFile,
        };
        command.Hidden = true;
        command.SetAction(parsed =>
            CommandRunner.Execute(async () =>
            {
                var root = parsed.GetValue(directory)!;
                if (!Directory.Exists(root))
                {
                    throw new RunnerException(RunnerExit.Failed, $"{root} is not a directory");
                }
                var listener = StaticFileServer.Listen(parsed.GetValue(port));
                var actual = ((IPEndPoint)listener.LocalEndpoint).Port;
                if (parsed.GetValue(portFile) is { } file)
                {
                    await File.WriteAllTextAsync(file, actual.ToString(CultureInfo.InvariantCulture));
                }
                Console.WriteLine($"serving {Path.GetFullPath(root)} on http://127.0.0.1:{actual}/");
                using var stop = new CancellationTokenSource();
                using var sigint = System.Runtime.InteropServices.PosixSignalRegistration.Create(
                    System.Runtime.InteropServices.PosixSignal.SIGINT,
                    c =>
                    {
                        c.Cancel = true;
                        stop.Cancel();
                    }
                );
                using var sigterm = System.Runtime.InteropServices.PosixSignalRegistration.Create(
                    System.Runtime.InteropServices.PosixSignal.SIGTERM,
                    c =>
                    {
                        c.Cancel = true;
                        stop.Cancel();
                    }
                );
                await new StaticFileServer(root, Console.Error).ServeAsync(listener, stop.Token);
                listener.Stop();
                return RunnerExit.Ok;
            })
        );
        return command;
    }
}
