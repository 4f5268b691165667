namespace NomadQemu.Runner;

/// <summary>
/// A Nomad-like allocation directory:
/// <code>
/// ALLOC/alloc/{data,logs,tmp}               shared by the group's tasks (NOMAD_ALLOC_DIR)
/// ALLOC/alloc/logs/.TASK.stdout.fifo        what QEMU writes to (the runner reads it)
/// ALLOC/alloc/logs/TASK.stdout.0            the console, as `nomad alloc logs` would show it
/// ALLOC/TASK/{local,secrets,tmp}            the task dir; QEMU runs here, artifacts land in local/
/// ALLOC/TASK/.qemu/                         the driver's run dir (QMP socket, seed), rebuilt at every start
/// ALLOC/TASK/.qemu-disks/                   disk overlays and blank disks, kept across task restarts
/// </code>
/// The directory is named by the first 8 hex digits of the alloc id, keeping socket paths short.
/// </summary>
internal sealed class AllocDirectory
{
    public AllocDirectory(string allocsRoot, string allocId)
    {
        AllocId = allocId;
        Path = System.IO.Path.Combine(allocsRoot, allocId[..8]);
    }

    public string AllocId { get; }

    public string Path { get; }

    public string SharedDir => System.IO.Path.Combine(Path, "alloc");

    public string LogsDir => System.IO.Path.Combine(SharedDir, "logs");

    public string TaskDir(string task) => System.IO.Path.Combine(Path, task);

    public string LocalDir(string task) => System.IO.Path.Combine(TaskDir(task), "local");

    public string SecretsDir(string task) => System.IO.Path.Combine(TaskDir(task), "secrets");

    public string Fifo(string task, string stream) => System.IO.Path.Combine(LogsDir, $".{task}.{stream}.fifo");

    public string LogFile(string task, string stream) => System.IO.Path.Combine(LogsDir, $"{task}.{stream}.0");

    /// <summary>Creates the layout for <paramref name="tasks"/>; refuses to reuse an existing directory.</summary>
    public void Create(IEnumerable<string> tasks)
    {
        if (Directory.Exists(Path))
        {
            throw new IOException($"alloc dir {Path} already exists");
        }
        foreach (var shared in new[] { "data", "logs", "tmp" })
        {
            Directory.CreateDirectory(System.IO.Path.Combine(SharedDir, shared));
        }
        foreach (var task in tasks)
        {
            Directory.CreateDirectory(LocalDir(task));
            Directory.CreateDirectory(System.IO.Path.Combine(TaskDir(task), "tmp"));
            Directory.CreateDirectory(
                SecretsDir(task),
                UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute
            );
        }
    }

    /// <summary>Removes the whole allocation (best effort: a busy file only leaves a warning).</summary>
    public string? TryDelete()
    {
        try
        {
            if (Directory.Exists(Path))
            {
                Directory.Delete(Path, recursive: true);
            }
            return null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return e.Message;
        }
    }

    public static string NewAllocId() => Guid.NewGuid().ToString("D");
}
