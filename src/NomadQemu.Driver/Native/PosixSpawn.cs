using System.Runtime.InteropServices;
using System.Text;

namespace NomadQemu.Driver.Native;

/// <summary>
/// Starts a program with exactly the three descriptors we choose as its stdio, default signal
/// dispositions and an empty signal mask. Used by the supervisor to hand Nomad's log FIFOs straight
/// to QEMU: output then keeps flowing whether or not any .NET process is alive. Further descriptors
/// (QEMU's listening sockets, the jail's info pipe) are inherited only when listed.
/// </summary>
internal static unsafe class PosixSpawn
{
    // glibc's posix_spawn_file_actions_t is 80 bytes, posix_spawnattr_t 336, sigset_t 128 on x86_64/arm64.
    // Generous buffers keep us safe from layout differences between libc builds.
    private const int OpaqueBufferBytes = 1024;

    public static int Spawn(
        string path,
        IReadOnlyList<string> argv,
        IReadOnlyList<string> environment,
        int stdin,
        int stdout,
        int stderr
    ) => Spawn(path, argv, environment, [(stdin, 0), (stdout, 1), (stderr, 2)]);

    /// <summary>
    /// Starts <paramref name="path"/> with exactly the descriptors in <paramref name="descriptors"/> at their target
    /// numbers (dup2 in the child, in order, which also clears close-on-exec; a source equal to its target keeps its
    /// number). Every other descriptor of ours is close-on-exec and stays behind. The caller must make sure no
    /// source is an earlier entry's target.
    /// </summary>
    public static int Spawn(
        string path,
        IReadOnlyList<string> argv,
        IReadOnlyList<string> environment,
        IReadOnlyList<(int Source, int Target)> descriptors
    )
    {
        var actions = NativeMemory.AllocZeroed(OpaqueBufferBytes);
        var attr = NativeMemory.AllocZeroed(OpaqueBufferBytes);
        var sigset = NativeMemory.AllocZeroed(OpaqueBufferBytes);
        var strings = new List<IntPtr>();
        try
        {
            Check(LibC.posix_spawn_file_actions_init(actions), "posix_spawn_file_actions_init");
            foreach (var (source, target) in descriptors)
            {
                Check(LibC.posix_spawn_file_actions_adddup2(actions, source, target), $"adddup2 {source}->{target}");
            }

            Check(LibC.posix_spawnattr_init(attr), "posix_spawnattr_init");
            LibC.sigfillset(sigset);
            Check(LibC.posix_spawnattr_setsigdefault(attr, sigset), "setsigdefault");
            LibC.sigemptyset(sigset);
            Check(LibC.posix_spawnattr_setsigmask(attr, sigset), "setsigmask");
            Check(
                LibC.posix_spawnattr_setflags(attr, LibC.POSIX_SPAWN_SETSIGDEF | LibC.POSIX_SPAWN_SETSIGMASK),
                "setflags"
            );

            var pathPtr = Utf8(path, strings);
            var argvPtr = (byte**)NativeMemory.AllocZeroed((nuint)((argv.Count + 1) * sizeof(byte*)));
            var envPtr = (byte**)NativeMemory.AllocZeroed((nuint)((environment.Count + 1) * sizeof(byte*)));
            strings.Add((IntPtr)argvPtr);
            strings.Add((IntPtr)envPtr);
            for (var i = 0; i < argv.Count; i++)
            {
                argvPtr[i] = Utf8(argv[i], strings);
            }
            for (var i = 0; i < environment.Count; i++)
            {
                envPtr[i] = Utf8(environment[i], strings);
            }

            int pid;
            var rc = LibC.posix_spawn(&pid, pathPtr, actions, attr, argvPtr, envPtr);
            if (rc != 0)
            {
                throw new IOException($"cannot start {path}: {Marshal.GetPInvokeErrorMessage(rc)}");
            }
            return pid;
        }
        finally
        {
            LibC.posix_spawn_file_actions_destroy(actions);
            LibC.posix_spawnattr_destroy(attr);
            NativeMemory.Free(actions);
            NativeMemory.Free(attr);
            NativeMemory.Free(sigset);
            foreach (var p in strings)
            {
                NativeMemory.Free((void*)p);
            }
        }
    }

    private static byte* Utf8(string value, List<IntPtr> owned)
    {
        var count = Encoding.UTF8.GetByteCount(value);
        var buffer = (byte*)NativeMemory.Alloc((nuint)count + 1);
        Encoding.UTF8.GetBytes(value, new Span<byte>(buffer, count));
        buffer[count] = 0;
        owned.Add((IntPtr)buffer);
        return buffer;
    }

    private static void Check(int rc, string what)
    {
        if (rc != 0)
        {
            throw new IOException($"{what} failed: {Marshal.GetPInvokeErrorMessage(rc)}");
        }
    }
}
