using System.Text.Json;
using Microsoft.Win32.SafeHandles;
using NomadQemu.Core.WarmStart;
using NomadQemu.Driver.Native;

namespace NomadQemu.Driver.WarmStart;

/// <summary>
/// The template cache under <c>&lt;state_dir&gt;/templates</c>: one directory per key holding <c>ram</c> (sparse),
/// <c>state</c> (device state), <c>disk.qcow2</c> (the frozen overlay) and <c>template.json</c>. A template is
/// built in a temporary directory and renamed under its key only when complete, so a half-built template never
/// exists under a key. Everything is root-only (0700 directories, 0600 files): a template holds a guest's memory.
/// </summary>
internal sealed class TemplateStore(string root)
{
    public const string RamFile = "ram";
    public const string StateFile = "state";
    public const string DiskFile = "disk.qcow2";
    public const string InfoFile = "template.json";
    private const string BuildingPrefix = ".building-";
    private const string LockSuffix = ".lock";

    private const UnixFileMode PrivateDir = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;

    public string Root { get; } = root;

    public string DirectoryOf(string key) => Path.Combine(Root, Checked(key));

    /// <summary>The template's description, or null when there is no complete template under the key.</summary>
    public TemplateInfo? Read(string key)
    {
        var path = Path.Combine(DirectoryOf(key), InfoFile);
        if (LibC.LStat(path) is not { } stat || (stat.Mode & LibC.FileTypeMask) != LibC.RegularFileType)
        {
            return null;
        }
        try
        {
            var info = JsonSerializer.Deserialize(File.ReadAllBytes(path), WarmJson.Default.TemplateInfo);
            return info?.Key == key ? info : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    /// <summary>Every complete template, most recently used first.</summary>
    public IReadOnlyList<TemplateInfo> List()
    {
        if (!Directory.Exists(Root))
        {
            return [];
        }
        return
        [
            .. Directory
                .EnumerateDirectories(Root)
                .Select(Path.GetFileName)
                .Where(name => name is not null && TemplateKey.IsKey(name))
                .Select(name => Read(name!))
                .OfType<TemplateInfo>()
                .OrderByDescending(t => t.LastUsed),
        ];
    }

    /// <summary>
    /// Takes the build lock of <paramref name="key"/> without waiting; null when another start is building it
    /// (that start boots cold). The lock is an flock, so a builder that died released it.
    /// </summary>
    public SafeFileHandle? TryLock(string key)
    {
        EnsureRoot();
        var path = Path.Combine(Root, Checked(key) + LockSuffix);
        var fd = LibC.open(
            path,
            LibC.O_RDWR | LibC.O_CREAT | LibC.O_CLOEXEC | LibC.ONoFollow,
            Convert.ToInt32("600", 8)
        );
        if (fd < 0)
        {
            throw new IOException($"cannot open the template lock {path}: {LibC.LastError()}");
        }
        var handle = new SafeFileHandle(fd, ownsHandle: true);
        if (LibC.flock(fd, LibC.LOCK_EX | LibC.LOCK_NB) != 0)
        {
            handle.Dispose();
            return null;
        }
        return handle;
    }

    /// <summary>A fresh private directory to build a template in.</summary>
    public string NewBuildDirectory()
    {
        EnsureRoot();
        var path = Path.Combine(Root, BuildingPrefix + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(path, PrivateDir);
        return path;
    }

    /// <summary>Puts a complete build under its key (replacing what was there), atomically.</summary>
    public void Commit(string buildDirectory, string key)
    {
        var target = DirectoryOf(key);
        if (Directory.Exists(target))
        {
            Drop(key);
        }
        Directory.Move(buildDirectory, target);
    }

    /// <summary>Records a use (for least-recently-used eviction); best effort.</summary>
    public void Touch(string key)
    {
        if (Read(key) is not { } info)
        {
            return;
        }
        try
        {
            WriteInfo(DirectoryOf(key), info with { LastUsed = DateTimeOffset.UtcNow });
        }
        catch (IOException) { }
    }

    /// <summary>Writes template.json through a temporary name, so a reader never sees half of it.</summary>
    public static void WriteInfo(string directory, TemplateInfo info)
    {
        var path = Path.Combine(directory, InfoFile);
        var temp = path + ".tmp";
        File.WriteAllBytes(temp, JsonSerializer.SerializeToUtf8Bytes(info, WarmJson.Default.TemplateInfo));
        File.SetUnixFileMode(temp, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        File.Move(temp, path, overwrite: true);
    }

    /// <summary>Removes a template: first its template.json (so it stops being one at once), then the rest.</summary>
    public bool Drop(string key)
    {
        var directory = DirectoryOf(key);
        if (!Directory.Exists(directory))
        {
            return false;
        }
        var info = Path.Combine(directory, InfoFile);
        if (File.Exists(info))
        {
            File.Delete(info);
        }
        // Rename first: a clone starting now either opened the files already (it keeps them) or finds nothing.
        var doomed = Path.Combine(Root, BuildingPrefix + "drop-" + Guid.NewGuid().ToString("N"));
        Directory.Move(directory, doomed);
        Directory.Delete(doomed, recursive: true);
        return true;
    }

    /// <summary>Removes leftovers of builds that died (a plugin killed mid-build), except <paramref name="keep"/>.</summary>
    public void SweepBuilds(string? keep)
    {
        if (!Directory.Exists(Root))
        {
            return;
        }
        foreach (var directory in Directory.EnumerateDirectories(Root, BuildingPrefix + "*"))
        {
            if (directory == keep)
            {
                continue;
            }
            try
            {
                if (Directory.GetLastWriteTimeUtc(directory) < DateTime.UtcNow - TimeSpan.FromHours(1))
                {
                    Directory.Delete(directory, recursive: true);
                }
            }
            catch (IOException) { }
        }
    }

    /// <summary>Opens a file of a template read-only, refusing links.</summary>
    public SafeFileHandle OpenFile(string key, string name)
    {
        var path = Path.Combine(DirectoryOf(key), name);
        var fd = LibC.open(path, LibC.O_RDONLY | LibC.O_CLOEXEC | LibC.O_NOCTTY | LibC.ONoFollow, 0);
        if (fd < 0)
        {
            throw new IOException($"cannot open {name} of template {key[..12]}: {LibC.LastError()}");
        }
        return new SafeFileHandle(fd, ownsHandle: true);
    }

    private void EnsureRoot()
    {
        if (!Directory.Exists(Root))
        {
            Directory.CreateDirectory(Root, PrivateDir);
        }
    }

    private static string Checked(string key) =>
        TemplateKey.IsKey(key) ? key : throw new ArgumentException($"\"{key}\" is not a template key", nameof(key));
}
