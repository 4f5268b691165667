using System.Runtime.InteropServices;

namespace NomadQemu.Driver.Native;

// Passing a descriptor over a unix socket (SCM_RIGHTS): QMP's getfd takes one, and .NET's Socket cannot send it.
internal static unsafe partial class LibC
{
    public const int SOL_SOCKET = 1;
    public const int SCM_RIGHTS = 1;

    [LibraryImport("libc", SetLastError = true)]
    public static partial nint sendmsg(int socket, MsgHdr* message, int flags);

    [StructLayout(LayoutKind.Sequential)]
    public struct IoVec
    {
        public void* Base;
        public nuint Length;
    }

    [StructLayout(LayoutKind.Sequential)]
    public struct MsgHdr
    {
        public void* Name;
        public uint NameLength;
        public IoVec* Iov;
        public nuint IovLength;
        public void* Control;
        public nuint ControlLength;
        public int Flags;
    }
}
