using System.Diagnostics;
using System.Globalization;

namespace NomadQemu.Bench.Measure;

/// <summary>
/// QEMU started directly by the suite, without the driver: the baselines. Console output is read and
/// dropped, as a log collector would; stdin is an idle pipe.
/// </summary>
public sealed class RawVm : IAsyncDisposable
{
    private const int KeptChars = 16384;
    private readonly Process _process;
    private readonly System.Text.StringBuilder _output = new();

    private RawVm(Process process)
    {
        _process = process;
        _process.OutputDataReceived += (_, e) => Keep(e.Data);
        _process.ErrorDataReceived += (_, e) => Keep(e.Data);
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
    }

    public int Pid => _process.Id;

    /// <summary>The last console and stderr lines, for error messages.</summary>
    public string Output
    {
        get
        {
            lock (_output)
            {
                return _output.ToString();
            }
        }
    }

    public async Task WaitForOutputAsync(string marker, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var watch = Stopwatch.StartNew();
        while (!Output.Contains(marker, StringComparison.Ordinal))
        {
            if (watch.Elapsed > timeout || _process.HasExited)
            {
                throw new TimeoutException(
                    $"\"{marker}\" did not appear on QEMU's console within {timeout.TotalSeconds:0} s; console:\n{Output}"
                );
            }
            await Task.Delay(50, cancellationToken);
        }
    }

    private void Keep(string? line)
    {
        if (line is null)
        {
            return;
        }
        lock (_output)
        {
            _output.AppendLine(line);
            if (_output.Length > KeptChars)
            {
                _output.Remove(0, _output.Length - KeptChars);
            }
        }
    }

    public bool HasExited => _process.HasExited;

    public static RawVm Start(IReadOnlyList<string> argv, string workingDirectory)
    {
        var start = new ProcessStartInfo(argv[0])
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = workingDirectory,
        };
        foreach (var arg in argv.Skip(1))
        {
            start.ArgumentList.Add(arg);
        }
        return new RawVm(Process.Start(start) ?? throw new InvalidOperationException($"cannot start {argv[0]}"));
    }

    public async Task WaitForExitAsync(CancellationToken cancellationToken) =>
        await _process.WaitForExitAsync(cancellationToken);

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill();
        }
        await _process.WaitForExitAsync();
        _process.Dispose();
    }
}

/// <summary>Helpers around the QEMU command lines the driver produced, reused verbatim for the baselines.</summary>
public static class QemuArgv
{
    /// <summary>
    /// The argv of a driver-started QEMU, as the kernel holds it, made runnable by hand: the QMP socket QEMU
    /// inherited from its supervisor (<c>-chardev socket,fd=N</c> + <c>-mon</c>) becomes <c>-qmp unix:</c> in
    /// <paramref name="runDir"/>, so the baseline does the same work as before the jail minus the jail; and each
    /// <c>/proc/self/fd/N</c> (how the driver hands QEMU the kernel and initrd it opened) becomes the file that
    /// descriptor has open: a launcher by hand names the files.
    /// </summary>
    public static string[] Capture(int pid, string runDir)
    {
        var proc = $"/proc/{pid.ToString(CultureInfo.InvariantCulture)}";
        var argv = File.ReadAllText($"{proc}/cmdline")
            .TrimEnd('\0')
            .Split('\0')
            .Select(arg => arg.StartsWith(SelfFd, StringComparison.Ordinal) ? OpenedFile(proc, arg) : arg)
            .ToList();
        var chardev = argv.FindIndex(a => a.StartsWith("socket,id=qmp0,fd=", StringComparison.Ordinal));
        if (chardev > 0)
        {
            var mon = argv.IndexOf("chardev=qmp0,mode=control");
            argv[chardev - 1] = "-qmp";
            argv[chardev] = $"unix:{Path.Combine(runDir, "qmp.sock")},server=on,wait=off";
            argv.RemoveRange(mon - 1, 2);
        }
        return [.. argv];
    }

    private const string SelfFd = "/proc/self/fd/";

    /// <summary>
    /// The file behind a <c>/proc/self/fd/N</c> argument. A jailed QEMU gets kernel and initrd as sealed memfd
    /// copies, which have no name to launch by hand with: their bytes are copied once into a file named by
    /// their sha256 (read through QEMU's own descriptor, as root may).
    /// </summary>
    private static string OpenedFile(string proc, string arg)
    {
        var fd = $"{proc}/fd/{arg[SelfFd.Length..]}";
        var target = new FileInfo(fd).LinkTarget ?? throw new InvalidOperationException($"QEMU {proc} has no {arg}");
        if (!target.StartsWith("/memfd:", StringComparison.Ordinal))
        {
            return target;
        }
        var bytes = File.ReadAllBytes(fd);
        var dir = Path.Combine(Path.GetTempPath(), "nq-bench-memfd");
        Directory.CreateDirectory(dir);
        var copy = Path.Combine(dir, Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(bytes)));
        if (!File.Exists(copy))
        {
            File.WriteAllBytes(copy + ".tmp", bytes);
            File.Move(copy + ".tmp", copy, overwrite: true);
        }
        return copy;
    }

    /// <summary>The same command line for another task dir and host port (paths and the forward are the only per-task parts).</summary>
    public static string[] Retarget(
        IEnumerable<string> argv,
        string oldTaskDir,
        string newTaskDir,
        int oldPort,
        int newPort
    )
    {
        // The driver hands QEMU open descriptors (-add-fd + a json: chain over /dev/fdset/N); a launcher by hand
        // names the overlay it made instead, so the fd plumbing becomes that path.
        List<string> result = [];
        var list = argv.ToList();
        for (var i = 0; i < list.Count; i++)
        {
            if (list[i] == "-add-fd")
            {
                i++;
                continue;
            }
            var a = list[i];
            var chainEnd = a.LastIndexOf("},if=", StringComparison.Ordinal);
            if (a.StartsWith("file=json:", StringComparison.Ordinal) && chainEnd > 0)
            {
                a = $"file={TestImages.OverlayPath(oldTaskDir)},format=qcow2{a[(chainEnd + 1)..]}";
            }
            result.Add(
                a.Replace(oldTaskDir, newTaskDir, StringComparison.Ordinal)
                    .Replace(
                        $":{oldPort.ToString(CultureInfo.InvariantCulture)}-",
                        $":{newPort.ToString(CultureInfo.InvariantCulture)}-",
                        StringComparison.Ordinal
                    )
            );
        }
        return [.. result];
    }

    /// <summary>Absolute path of a program found on PATH (as the built-in driver resolves the emulator).</summary>
    public static string FindOnPath(string name) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "/usr/bin:/bin")
            .Split(':', StringSplitOptions.RemoveEmptyEntries)
            .Select(dir => Path.Combine(dir, name))
            .FirstOrDefault(File.Exists)
        ?? throw new InvalidOperationException($"{name} not found on PATH");

    /// <summary>The argv value after <paramref name="flag"/>, or null.</summary>
    public static string? ValueOf(IReadOnlyList<string> argv, string flag)
    {
        for (var i = 0; i < argv.Count - 1; i++)
        {
            if (argv[i] == flag)
            {
                return argv[i + 1];
            }
        }
        return null;
    }
}

/// <summary>Runs a short command to completion and fails loudly, naming it, when it fails.</summary>
public static class Command
{
    public static async Task RunAsync(string file, IEnumerable<string> args, CancellationToken cancellationToken)
    {
        var start = new ProcessStartInfo(file)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }
        using var process = Process.Start(start) ?? throw new InvalidOperationException($"cannot start {file}");
        var stdout = process.StandardOutput.ReadToEndAsync(cancellationToken);
        var stderr = process.StandardError.ReadToEndAsync(cancellationToken);
        await process.WaitForExitAsync(cancellationToken);
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException(
                $"{file} {string.Join(' ', start.ArgumentList)} exited {process.ExitCode}: {await stderr}{await stdout}"
            );
        }
    }

    /// <summary>Wall time of one run, in seconds.</summary>
    public static async Task<double> TimeAsync(
        string file,
        IEnumerable<string> args,
        CancellationToken cancellationToken
    )
    {
        var watch = Stopwatch.StartNew();
        await RunAsync(file, args, cancellationToken);
        return watch.Elapsed.TotalSeconds;
    }
}
