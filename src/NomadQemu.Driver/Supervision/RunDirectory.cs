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
        using (var stream = new FileStream(temp, FileMode.Create, FileAccess.Write, FileShare.None))
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
