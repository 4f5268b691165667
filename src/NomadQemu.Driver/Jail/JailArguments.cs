using System.Globalization;

namespace NomadQemu.Driver.Jail;

/// <summary>
/// The argv prefix that runs a program jailed: <c>bwrap</c> builds fresh mount, pid, ipc, uts (and cgroup)
/// namespaces around a root that holds only the OS's read-only <c>/usr</c> (binary, libraries, firmware,
/// keymaps, modules), the dynamic linker's cache, a fresh <c>/proc</c>, a private <c>/tmp</c>, a hand-made
/// <c>/dev</c> and nothing else (the job's files arrive as inherited descriptors); then <c>setpriv</c>, still inside, drops to the VM's uid/gid with no
/// capabilities (bounding set included), only the groups asked for and no_new_privs before QEMU is exec'd.
/// bwrap's own init is pid 1 of the namespace and QEMU its only child (see <see cref="Supervision.QemuLaunch"/>).
/// Depends only on its inputs and on which top-level entries of the host's root are symlinks.
/// </summary>
internal static class JailArguments
{
    /// <summary>Top-level entries that are symlinks into /usr on merged-usr systems, bind-mounted otherwise.</summary>
    private static readonly string[] s_rootEntries = ["/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32"];

    /// <summary>Not secrets: the loader cache (Debian's libraries live outside the loader's default path) and
    /// the resolver config user-mode networking forwards the guest's DNS queries with.</summary>
    private static readonly string[] s_etcFiles = ["/etc/ld.so.cache", "/etc/resolv.conf"];

    private static readonly string[] s_devices = ["/dev/null", "/dev/zero", "/dev/urandom"];

    public const string KvmDevice = "/dev/kvm";

    /// <param name="spec">Tools and files.</param>
    /// <param name="uid">The uid (and gid) QEMU runs as.</param>
    /// <param name="kvmGroup">The only supplementary group, when KVM is used; null clears them all.</param>
    /// <param name="infoFd">Where bwrap writes the JSON with the child's host pid; null for none.</param>
    /// <param name="emulator">The program to run; bound read-only when it lives outside /usr.</param>
    public static List<string> Build(JailSpec spec, int uid, uint? kvmGroup, int? infoFd, string emulator)
    {
        List<string> args =
        [
            spec.BwrapPath,
            "--unshare-pid",
            "--unshare-ipc",
            "--unshare-uts",
            "--unshare-cgroup-try",
            // No controlling terminal shared with the host (TIOCSTI).
            "--new-session",
            // bwrap dies with the supervisor, bwrap's init (the namespace's pid 1) with bwrap, and when pid 1 dies
            // the kernel kills everything in the namespace, QEMU included. Not --as-pid-1: then QEMU would be pid 1
            // and rely on a parent-death signal, which setpriv's uid change clears and which bwrap, having dropped
            // CAP_KILL, is not allowed to deliver to another uid.
            "--die-with-parent",
            "--ro-bind",
            "/usr",
            "/usr",
        ];
        foreach (var entry in s_rootEntries)
        {
            if (new FileInfo(entry).LinkTarget is { } target)
            {
                args.AddRange(["--symlink", target, entry]);
            }
            else if (Directory.Exists(entry))
            {
                args.AddRange(["--ro-bind", entry, entry]);
            }
        }
        args.AddRange(["--perms", "0755", "--dir", "/etc"]);
        foreach (var file in s_etcFiles.Where(File.Exists))
        {
            args.AddRange(["--ro-bind", file, file]);
        }
        args.AddRange(["--proc", "/proc", "--tmpfs", "/dev"]);
        foreach (var device in s_devices)
        {
            args.AddRange(["--dev-bind", device, device]);
        }
        if (spec.Kvm)
        {
            args.AddRange(["--dev-bind", KvmDevice, KvmDevice]);
        }
        args.AddRange(["--tmpfs", "/tmp"]);

        var madeDirs = new HashSet<string>(StringComparer.Ordinal) { "/", "/usr", "/etc", "/tmp", "/dev", "/proc" };
        var readOnly = spec.ReadOnlyFiles.ToList();
        if (!emulator.StartsWith("/usr/", StringComparison.Ordinal))
        {
            readOnly.Add(emulator);
        }
        foreach (var file in readOnly.Distinct(StringComparer.Ordinal))
        {
            AddParents(args, file, madeDirs);
            args.AddRange(["--ro-bind", file, file]);
        }
        if (infoFd is { } fd)
        {
            args.AddRange(["--info-fd", Text(fd)]);
        }
        args.AddRange(["--chdir", "/", "--", spec.SetprivPath, $"--reuid={Text(uid)}", $"--regid={Text(uid)}"]);
        args.Add(kvmGroup is { } group ? $"--groups={group.ToString(CultureInfo.InvariantCulture)}" : "--clear-groups");
        args.AddRange(["--inh-caps=-all", "--ambient-caps=-all", "--bounding-set=-all", "--no-new-privs", "--"]);
        return args;
    }

    /// <summary>bwrap makes missing parent dirs 0700 (root's): unreadable for the VM's uid, so make each one 0755 first.</summary>
    private static void AddParents(List<string> args, string file, HashSet<string> madeDirs)
    {
        var parent = Path.GetDirectoryName(file);
        if (parent is null || madeDirs.Contains(parent))
        {
            return;
        }
        AddParents(args, parent, madeDirs);
        if (madeDirs.Add(parent))
        {
            args.AddRange(["--perms", "0755", "--dir", parent]);
        }
    }

    private static string Text(int value) => value.ToString(CultureInfo.InvariantCulture);
}
