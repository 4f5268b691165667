using System.Text.Json;
using System.Text.Json.Serialization.Metadata;

namespace NomadQemu.Driver.Supervision;

/// <summary>
/// The files one VM's supervision leaves in its run dir. Every write is atomic (temp file, fsync,
/// rename): a reader sees either nothing or a whole record, even if the writer is killed mid-write.
/// </summary>
internal sealed class RunDirectory(string path)
{
    public string Path { get; } = path;
    public string LaunchFile => System.IO.Path.Combine(Path, "launch.json");
    public string SupervisorFile => System.IO.Path.Combine(Path, "supervisor.json");
    public string StartedFile => System.IO.Path.Combine(Path, "started.json");
    public string ExitFile => System.IO.Path.Combine(Path, "exit.json");
    public string SupervisorLog => System.IO.Path.Combine(Path, "supervisor.log");

    /// <summary>Owner-only: the directory holds the task's sockets, overlay and records.</summary>
    public const UnixFileMode PrivateDirMode =
        UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;

    /// <summary>
    /// Creates the run dir (which must not exist) as a real directory, mode 0700 whatever the umask: set on the
    /// opened directory itself, so a name swapped in between cannot receive the chmod.
    /// </summary>
    public static void CreatePrivate(string path)
    {
        if (Native.LibC.mkdirat(Native.LibC.AT_FDCWD, path, (int)PrivateDirMode) != 0)
        {
            throw new IOException($"cannot create {path}: {Native.LibC.LastError()}");
        }
        var fd = Native.LibC.open(
            path,
            Native.LibC.O_PATH | Native.LibC.ODirectory | Native.LibC.ONoFollow | Native.LibC.O_CLOEXEC,
            0
        );
        if (fd < 0)
        {
            throw new IOException($"cannot open {path}: {Native.LibC.LastError()}");
        }
        try
        {
            // fchmod does not take an O_PATH descriptor; its /proc link does, and always means this very directory.
            File.SetUnixFileMode($"/proc/self/fd/{fd}", PrivateDirMode);
        }
        finally
        {
            Native.LibC.close(fd);
        }
    }

    public void WriteLaunch(LaunchRequest request) =>
        WriteAtomic(LaunchFile, request, SupervisorJson.Default.LaunchRequest);

    public LaunchRequest ReadLaunch() =>
        Read(LaunchFile, SupervisorJson.Default.LaunchRequest) ?? throw new IOException($"no launch request in {Path}");

    public void WriteSupervisor(SupervisorSelf self) =>
        WriteAtomic(SupervisorFile, self, SupervisorJson.Default.SupervisorSelf);

    public SupervisorSelf? ReadSupervisor() => Read(SupervisorFile, SupervisorJson.Default.SupervisorSelf);

    public void WriteStarted(SupervisorStarted started) =>
        WriteAtomic(StartedFile, started, SupervisorJson.Default.SupervisorStarted);

    public SupervisorStarted? ReadStarted() => Read(StartedFile, SupervisorJson.Default.SupervisorStarted);

    public void WriteExit(ExitRecord exit) => WriteAtomic(ExitFile, exit, SupervisorJson.Default.ExitRecord);

    public ExitRecord? ReadExit() => Read(ExitFile, SupervisorJson.Default.ExitRecord);

    private static void WriteAtomic<T>(string file, T value, JsonTypeInfo<T> type)
    {
        var temp = file + ".tmp";
        // 0600 whatever the process umask: records name the task's files and must not be readable by others.
        var options = new FileStreamOptions
        {
            Mode = FileMode.Create,
            Access = FileAccess.Write,
            Share = FileShare.None,
            UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite,
        };
        using (var stream = new FileStream(temp, options))
        {
            JsonSerializer.Serialize(stream, value, type);
            stream.Flush(flushToDisk: true);
        }
        File.Move(temp, file, overwrite: true);
    }

    private static T? Read<T>(string file, JsonTypeInfo<T> type)
        where T : class
    {
        try
        {
            using var stream = File.OpenRead(file);
            return JsonSerializer.Deserialize(stream, type);
        }
        catch (FileNotFoundException)
        {
            return null;
        }
        catch (DirectoryNotFoundException)
        {
            return null;
        }
        catch (JsonException)
        {
            // Only possible for a file written by something else: atomic writes never leave half records.
            return null;
        }
    }
}
