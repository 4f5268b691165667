namespace NomadQemu.Runner;

/// <summary>
/// Where the runner keeps its files. Kept short on purpose: QEMU's QMP socket lives in the task dir and a
/// unix socket path must fit in 108 bytes.
/// <code>
/// DATA/cache/objects/ALG/HEX   verified artifacts, shared by every run (content-addressed)
/// DATA/cache/tmp/              downloads in flight
/// DATA/state/tasks/            the driver's start ledger (as the plugin's state_dir)
/// DATA/alloc/XXXXXXXX/         one allocation per group instance (see <see cref="AllocDirectory"/>)
/// </code>
/// </summary>
internal sealed class RunnerDataDir
{
    public RunnerDataDir(string root)
    {
        Root = Path.GetFullPath(root);
    }

    public string Root { get; }

    public string Cache => Path.Combine(Root, "cache");

    public string State => Path.Combine(Root, "state");

    public string Allocs => Path.Combine(Root, "alloc");

    /// <summary>$XDG_STATE_HOME/nomad-driver-qemu/runner, else ~/.local/state/nomad-driver-qemu/runner.</summary>
    public static string DefaultRoot()
    {
        var xdg = Environment.GetEnvironmentVariable("XDG_STATE_HOME");
        var stateHome =
            string.IsNullOrEmpty(xdg) || !Path.IsPathRooted(xdg)
                ? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".local", "state")
                : xdg;
        return Path.Combine(stateHome, "nomad-driver-qemu", "runner");
    }

    public void Create()
    {
        Directory.CreateDirectory(Cache);
        Directory.CreateDirectory(State);
        Directory.CreateDirectory(Allocs);
    }
}
