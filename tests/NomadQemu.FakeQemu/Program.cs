using System.Net.Sockets;
using System.Runtime.InteropServices;
using NomadQemu.FakeQemu;

// A fake qemu-system-*: see NomadQemu.FakeQemu.csproj. Writes what it does to stdout (the "serial console"
// the driver wires to the task's stdout log) so tests can read it back.
var arguments = FakeArguments.Parse(args);
if (arguments.PrintVersion)
{
    Console.WriteLine("QEMU emulator version 9.2.0 (fake)");
    return 0;
}
if (arguments.DebugExitDevice)
{
    // The KVM probe: the fake runs no guest, so it answers the way QEMU does where KVM is unusable.
    await Console.Error.WriteLineAsync("fake-qemu: Could not access KVM kernel module: No such file or directory");
    return 1;
}

// The driver gives QEMU a fixed environment, so the mode comes from a file in the task dir, the parent of the
// working directory (the task's run dir).
var modeFile = Path.Combine("..", FakeMode.FileName);
var mode = FakeMode.Parse(
    Environment.GetEnvironmentVariable(FakeMode.Variable) ?? (File.Exists(modeFile) ? File.ReadAllText(modeFile) : null)
);
if (mode.ExitAtStart is { } code)
{
    await Console.Error.WriteLineAsync($"fake-qemu: exiting at start with code {code} as asked");
    return code;
}
if (arguments.QmpSocket is null && arguments.QmpFd is null)
{
    await Console.Error.WriteLineAsync("fake-qemu: no -qmp unix:PATH nor an inherited QMP socket on the command line");
    return 1;
}

var exitCode = new TaskCompletionSource<int>(TaskCreationOptions.RunContinuationsAsynchronously);

// QEMU ends cleanly (exit 0) on SIGTERM/SIGINT: "terminating on signal 15".
using var term = PosixSignalRegistration.Create(PosixSignal.SIGTERM, Terminate);
using var interrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, Terminate);

using var listener = arguments.QmpFd is { } inherited
    ? new Socket(new SafeSocketHandle(inherited, ownsHandle: true)) // bound and listening already, like QEMU's fd=N
    : new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
if (arguments.QmpSocket is { } socketPath)
{
    listener.Bind(new UnixDomainSocketEndPoint(socketPath));
    listener.Listen(4);
}
using var server = new QmpServer(listener, mode, c => exitCode.TrySetResult(c));
_ = Task.Run(server.ServeAsync);
Console.WriteLine(
    $"fake-qemu: guest \"{arguments.Name}\" running, QMP on {arguments.QmpSocket ?? $"fd {arguments.QmpFd}"}"
);
Console.WriteLine($"fake-qemu: argv {string.Join(' ', args)}");

if (mode.BurnCpu)
{
    new Thread(() =>
    {
        while (true)
        {
            Thread.SpinWait(1000);
        }
    })
    {
        IsBackground = true,
    }.Start();
}
if (mode.GuestPoweroffAfter is { } poweroff)
{
    _ = Task.Run(async () =>
    {
        await Task.Delay(poweroff);
        await server.EventAsync("SHUTDOWN", """{"guest": true, "reason": "guest-shutdown"}""");
        exitCode.TrySetResult(0);
    });
}
if (mode.PanicAfter is { } panic)
{
    _ = Task.Run(async () =>
    {
        await Task.Delay(panic);
        await server.EventAsync("GUEST_PANICKED", """{"action": "pause"}""");
    });
}

var result = await exitCode.Task;

// QEMU unlinks a listening socket it bound itself on a clean exit (an inherited one is its creator's).
if (arguments.QmpSocket is { } ownSocket)
{
    File.Delete(ownSocket);
}
Console.WriteLine($"fake-qemu: exiting with code {result}");
return result;

void Terminate(PosixSignalContext context)
{
    context.Cancel = true;
    Console.Error.WriteLine($"fake-qemu: terminating on signal {(context.Signal == PosixSignal.SIGTERM ? 15 : 2)}");
    exitCode.TrySetResult(0);
}
