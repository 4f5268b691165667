using NomadQemu.Core.Config;
using NomadQemu.Driver.Files;

namespace NomadQemu.Driver.Tests.Files;

/// <summary>Real files and links: the per-task UEFI variable store is created privately and never follows a planted link out.</summary>
public sealed class UefiVarsStoreTests : IDisposable
{
    private readonly string _top = Directory.CreateTempSubdirectory("nq-vars").FullName;
    private string Task => Path.Combine(_top, "web");
    private string Template => Path.Combine(_top, "VARS.fd");
    private string Store => Path.Combine(Task, UefiVarsStore.FileName);

    public UefiVarsStoreTests()
    {
        Directory.CreateDirectory(Task);
        File.WriteAllBytes(Template, [.. Enumerable.Range(0, 4096).Select(i => (byte)i)]);
    }

    public void Dispose() => Directory.Delete(_top, recursive: true);

    [Fact]
    public void FirstStart_CopiesTheTemplate_Mode0600_RegularFile()
    {
        using (var store = UefiVarsStore.OpenOrCreate(Task, Template))
        {
            Assert.True(store.Writable);
        }

        Assert.Equal(File.ReadAllBytes(Template), File.ReadAllBytes(Store));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(Store));
        Assert.Null(new FileInfo(Store).LinkTarget);
        Assert.False(File.Exists(Store + ".new"));
    }

    [Fact]
    public void LaterStart_KeepsWhatTheGuestWrote()
    {
        UefiVarsStore.OpenOrCreate(Task, Template).Dispose();
        File.WriteAllText(Store, "written by the firmware");

        using var store = UefiVarsStore.OpenOrCreate(Task, Template);

        Assert.Equal("written by the firmware", File.ReadAllText(Store));
    }

    [Fact]
    public void PlantedLinkOutOfTheTaskDir_IsRefusedByKey_TargetUntouched()
    {
        var victim = Path.Combine(_top, "victim");
        File.WriteAllText(victim, "host data");
        var mtime = File.GetLastWriteTimeUtc(victim);
        File.CreateSymbolicLink(Store, victim);

        var e = Assert.Throws<ConfigException>(() => UefiVarsStore.OpenOrCreate(Task, Template));

        Assert.Equal(TaskConfigSchema.Firmware, e.Key);
        Assert.Equal("host data", File.ReadAllText(victim));
        Assert.Equal(mtime, File.GetLastWriteTimeUtc(victim));
    }

    [Fact]
    public void PlantedLinkAtTheTemporaryName_IsRemovedNotFollowed()
    {
        var victim = Path.Combine(_top, "victim");
        File.WriteAllText(victim, "host data");
        File.CreateSymbolicLink(Store + ".new", victim);

        UefiVarsStore.OpenOrCreate(Task, Template).Dispose();

        Assert.Equal("host data", File.ReadAllText(victim));
        Assert.Equal(File.ReadAllBytes(Template), File.ReadAllBytes(Store));
    }

    [Fact]
    public void FifoAtTheStoreName_IsRefusedWithoutBlocking()
    {
        Assert.Equal(0, Mkfifo(Store));

        var e = Assert.Throws<ConfigException>(() => UefiVarsStore.OpenOrCreate(Task, Template));

        Assert.Contains("not a regular file", e.Message, StringComparison.Ordinal);
    }

    [System.Runtime.InteropServices.DllImport("libc", EntryPoint = "mkfifo")]
    private static extern int Mkfifo(string path, uint mode = 0x180);
}
