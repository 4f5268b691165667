using System.Globalization;
using System.Text;
using System.Text.Json;
using NomadQemu.Driver.Jail;
using NomadQemu.Driver.Native;

namespace NomadQemu.Driver.Supervision;

/// <summary>
/// Starts QEMU for the supervisor: creates its listening sockets, and when jailed takes a uid and runs QEMU
/// through bwrap and setpriv (after the launcher prefix, e.g.
/// nsenter, which stays outside the jail because it needs root). Holds the sockets' and uid's lifetimes.
/// </summary>
internal sealed class QemuLaunch : IDisposable
{
    private readonly List<IDisposable> _held = [];

    /// <summary>The process the supervisor waits for: QEMU itself, or bwrap when jailed.</summary>
    public int ChildPid { get; private set; }

    /// <summary>QEMU's host pid (jailed: the child of the jail's init, whose pid bwrap reports).</summary>
    public int QemuPid { get; private set; }

    /// <summary>The VM's uid, or null when not jailed.</summary>
    public int? Uid { get; private set; }

    public bool Jailed { get; private set; }

    /// <exception cref="IOException">A socket, the uid or the spawn failed; or bwrap could not build the jail.</exception>
    public static QemuLaunch Start(LaunchRequest request, int stdin, int stdout, int stderr)
    {
        var launch = new QemuLaunch();
        try
        {
            launch.Run(request, stdin, stdout, stderr);
            return launch;
        }
        catch
        {
            launch.Dispose();
            throw;
        }
    }

    private unsafe void Run(LaunchRequest request, int stdin, int stdout, int stderr)
    {
        var inherit = new List<(int From, int To)>();
        AddSocket(request.QmpSocketPath, InheritedFds.QmpSocket, inherit);
        AddSocket(request.GuestAgentSocketPath, InheritedFds.GuestAgentSocket, inherit);
        inherit.AddRange((request.PassFds ?? []).Select(fd => (fd, fd)));

        var argv = new List<string>(request.LauncherPrefix ?? []);
        var infoRead = -1;
        var infoWrite = -1;
        if (request.Jail is { } jail)
        {
            var lease = JailUidLease.Acquire(jail.UidLockDir, jail.UidBase, jail.UidCount);
            _held.Add(lease);
            Uid = lease.Uid;
            var fds = stackalloc int[2];
            if (JailNative.pipe2(fds, JailNative.O_CLOEXEC) != 0)
            {
                throw new IOException($"cannot create the jail's info pipe: {JailNative.LastError()}");
            }
            (infoRead, infoWrite) = (fds[0], fds[1]);
            inherit.Add((infoWrite, InheritedFds.JailInfo));
            argv.AddRange(
                JailArguments.Build(jail, lease.Uid, KvmGroup(jail), InheritedFds.JailInfo, request.Executable)
            );
            Jailed = true;
        }
        argv.Add(request.Executable);
        argv.AddRange(request.Arguments);

        try
        {
            ChildPid = PosixSpawn.Spawn(
                argv[0],
                argv,
                request.Environment,
                [(stdin, 0), (stdout, 1), (stderr, 2), .. inherit]
            );
        }
        finally
        {
            if (infoWrite >= 0)
            {
                LibC.close(infoWrite);
            }
        }
        // QEMU has its copies now; ours would keep a dead QEMU's socket connectable but never answered.
        foreach (var socket in _held.OfType<ListeningSocket>().ToList())
        {
            socket.Dispose();
            _held.Remove(socket);
        }
        QemuPid = infoRead >= 0 ? ReadInitChild(ReadChildPid(infoRead)) : ChildPid;
    }

    private void AddSocket(string? path, int target, List<(int From, int To)> inherit)
    {
        if (path is null)
        {
            return;
        }
        var socket = ListeningSocket.Create(path);
        _held.Add(socket);
        inherit.Add((socket.Fd, target));
    }

    /// <summary>KVM's device group (from the device itself: no /etc/group lookup inside or outside the jail).</summary>
    private static uint? KvmGroup(JailSpec jail) =>
        !jail.Kvm ? null
        : JailNative.Owner(JailArguments.KvmDevice) is { } owner ? owner.Gid
        : throw new IOException($"cannot stat {JailArguments.KvmDevice}: {JailNative.LastError()}");

    /// <summary>
    /// bwrap writes <c>{"child-pid": N, ...}</c> once the namespaces exist and closes the pipe; an end of file
    /// with no pid means bwrap failed before starting anything (its reason is on the task's stderr).
    /// </summary>
    private static unsafe int ReadChildPid(int fd)
    {
        var text = new StringBuilder();
        var buffer = stackalloc byte[1024];
        try
        {
            while (true)
            {
                var n = JailNative.read(fd, buffer, 1024);
                if (n <= 0)
                {
                    break;
                }
                text.Append(Encoding.UTF8.GetString(buffer, (int)n));
            }
        }
        finally
        {
            LibC.close(fd);
        }
        try
        {
            using var info = JsonDocument.Parse(text.ToString());
            if (info.RootElement.TryGetProperty("child-pid", out var pid) && pid.TryGetInt32(out var value))
            {
                return value;
            }
        }
        catch (JsonException) { }
        throw new IOException(
            $"the jail (bwrap) did not start QEMU{(text.Length > 0 ? $" (info: {text.ToString().Trim()})" : "")}; bwrap's own error is in the task's stderr log"
        );
    }

    /// <summary>
    /// The jail's init forks once: that child execs setpriv, which execs QEMU, so its pid is QEMU's from the fork
    /// on. The fork may not have happened yet when bwrap reports the init.
    /// </summary>
    private static int ReadInitChild(int initPid)
    {
        var init = initPid.ToString(CultureInfo.InvariantCulture);
        var path = $"/proc/{init}/task/{init}/children";
        var deadline = Environment.TickCount64 + 10_000;
        while (true)
        {
            string text;
            try
            {
                text = File.ReadAllText(path);
            }
            catch (IOException e)
            {
                throw new IOException(
                    $"the jail's init (pid {init}) ended before starting QEMU; bwrap's own error is in the task's stderr log",
                    e
                );
            }
            var first = text.Split(' ', StringSplitOptions.RemoveEmptyEntries).FirstOrDefault();
            if (first is not null && int.TryParse(first, NumberStyles.None, CultureInfo.InvariantCulture, out var pid))
            {
                return pid;
            }
            if (Environment.TickCount64 > deadline)
            {
                throw new IOException($"the jail's init (pid {init}) did not start QEMU within 10 s");
            }
            Thread.Sleep(2);
        }
    }

    public override string ToString() =>
        Jailed
            ? $"qemu pid {QemuPid.ToString(CultureInfo.InvariantCulture)} jailed as uid {Uid?.ToString(CultureInfo.InvariantCulture)} under bwrap pid {ChildPid.ToString(CultureInfo.InvariantCulture)}"
            : $"qemu pid {QemuPid.ToString(CultureInfo.InvariantCulture)}";

    public void Dispose()
    {
        foreach (var held in Enumerable.Reverse(_held))
        {
            held.Dispose();
        }
        _held.Clear();
    }
}
