using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using NomadQemu.Driver.Native;

namespace NomadQemu.Driver.Supervision;

/// <summary>Where a task stands in the ledger: still starting (Nomad has no handle yet) or handed to Nomad.</summary>
internal enum LedgerPhase
{
    Starting,
    Started,
}

/// <summary>One ledger entry: which plugin process owns the task and where its files are.</summary>
internal sealed record LedgerEntry(
    string TaskId,
    string RunDir,
    int OwnerPid,
    ulong OwnerStartTicks,
    LedgerPhase Phase,
    DateTimeOffset UpdatedAt
);

[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower,
    UseStringEnumConverter = true
)]
[JsonSerializable(typeof(LedgerEntry))]
internal sealed partial class LedgerJson : JsonSerializerContext;

/// <summary>
/// A small on-disk ledger of the tasks this driver is starting or has started, so that a plugin killed in
/// the middle of StartTask leaves nothing behind. Nomad can only recover tasks whose StartTask returned a
/// handle; a task still "starting" whose owning plugin process is dead can never be recovered, so the next
/// instance may kill its QEMU and delete its files. Tasks handed to Nomad ("started") are never touched:
/// Nomad recovers or destroys them itself.
/// </summary>
internal sealed class TaskLedger
{
    private readonly string _dir;

    public TaskLedger(string stateDir)
    {
        _dir = Path.Combine(stateDir, "tasks");
        System.IO.Directory.CreateDirectory(_dir);
    }

    public string Directory => _dir;

    public void Record(string taskId, string runDir, LedgerPhase phase)
    {
        var self = Environment.ProcessId;
        var entry = new LedgerEntry(
            taskId,
            runDir,
            self,
            ProcessIdentity.ReadStartTicks(self) ?? 0,
            phase,
            DateTimeOffset.UtcNow
        );
        var file = FileFor(taskId);
        // The writer's pid in the temp name: a plugin killed between write and rename leaves a temp file that
        // the next instance can recognise as dead and remove (see RemoveDeadWritersTemps).
        var temp = $"{file}.{self.ToString(System.Globalization.CultureInfo.InvariantCulture)}.tmp";
        File.WriteAllBytes(temp, JsonSerializer.SerializeToUtf8Bytes(entry, LedgerJson.Default.LedgerEntry));
        File.Move(temp, file, overwrite: true);
    }

    public void Forget(string taskId)
    {
        try
        {
            File.Delete(FileFor(taskId));
        }
        catch (IOException) { }
    }

    /// <summary>Entries stuck in <see cref="LedgerPhase.Starting"/> whose owner process is gone.</summary>
    public IReadOnlyList<LedgerEntry> Orphans() => OwnerlessEntries(includeStarted: false);

    /// <summary>
    /// Every entry whose owner process is gone, started ones included. Only for a front that no Nomad client
    /// stands behind (the runner): nobody will ever recover those tasks.
    /// </summary>
    public IReadOnlyList<LedgerEntry> Abandoned() => OwnerlessEntries(includeStarted: true);

    private List<LedgerEntry> OwnerlessEntries(bool includeStarted)
    {
        RemoveDeadWritersTemps();
        var orphans = new List<LedgerEntry>();
        foreach (var file in System.IO.Directory.EnumerateFiles(_dir, "*.json"))
        {
            LedgerEntry? entry;
            try
            {
                entry = JsonSerializer.Deserialize(File.ReadAllBytes(file), LedgerJson.Default.LedgerEntry);
            }
            catch (Exception e) when (e is IOException or JsonException)
            {
                continue;
            }
            if (
                entry is not null
                && (includeStarted || entry.Phase == LedgerPhase.Starting)
                && !new ProcessIdentity(entry.OwnerPid, entry.OwnerStartTicks).IsAlive()
            )
            {
                orphans.Add(entry);
            }
        }
        return orphans;
    }

    /// <summary>Half-written entries (NAME.json.PID.tmp) whose writer is dead never became an entry: delete them.</summary>
    private void RemoveDeadWritersTemps()
    {
        foreach (var temp in System.IO.Directory.EnumerateFiles(_dir, "*.tmp"))
        {
            var parts = Path.GetFileName(temp).Split('.');
            var writerDead =
                parts.Length < 3
                || !int.TryParse(
                    parts[^2],
                    System.Globalization.NumberStyles.None,
                    System.Globalization.CultureInfo.InvariantCulture,
                    out var pid
                )
                || ProcessIdentity.ReadStartTicks(pid) is null;
            if (writerDead)
            {
                try
                {
                    File.Delete(temp);
                }
                catch (IOException) { }
            }
        }
    }

    /// <summary>Nomad task ids contain '/'; the file name is a hash of the id.</summary>
    private string FileFor(string taskId) =>
        Path.Combine(_dir, Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(taskId)))[..24] + ".json");

    /// <summary>The state dir when the operator did not choose one.</summary>
    public static string DefaultStateDir()
    {
        if (Environment.UserName == "root" || Environment.GetEnvironmentVariable("USER") == "root")
        {
            return "/var/lib/nomad-driver-qemu";
        }
        var xdg = Environment.GetEnvironmentVariable("XDG_STATE_HOME");
        return string.IsNullOrEmpty(xdg)
            ? Path.Combine(
                Environment.GetFolderPath(Environment.SpecialFolder.UserProfile),
                ".local",
                "state",
                "nomad-driver-qemu"
            )
            : Path.Combine(xdg, "nomad-driver-qemu");
    }
}
