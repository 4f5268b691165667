using System.Text.Json;
using System.Text.Json.Serialization;
using NomadQemu.Driver.Native;

namespace NomadQemu.Driver.Node;

/// <summary>
/// Everything that can change whether KVM runs guests here: the kernel (KVM is a kernel module), the QEMU
/// binary that probes, the device node (recreated at boot and on module reload; chmod/chown change its
/// ctime) and who we run as. A verdict stays good exactly as long as this key is equal.
/// </summary>
internal sealed record KvmVerdictKey(
    string KernelRelease,
    string Emulator,
    FileIdentity? EmulatorFile,
    string Device,
    FileIdentity? DeviceFile,
    string User
)
{
    /// <param name="user">Who the probe runs as, when not us (the jail's uid).</param>
    public static KvmVerdictKey For(string emulator, string device, string? user = null) =>
        new(
            ReadKernelRelease(),
            emulator,
            FileIdentity.Of(emulator),
            device,
            FileIdentity.Of(device),
            user ?? Environment.UserName
        );

    private static string ReadKernelRelease()
    {
        try
        {
            return File.ReadAllText("/proc/sys/kernel/osrelease").Trim();
        }
        catch (IOException)
        {
            return "";
        }
    }
}

/// <summary>One stored probe outcome and the key it was measured under.</summary>
internal sealed record KvmVerdict(KvmVerdictKey Key, bool Usable, string Reason, DateTimeOffset ProbedAt)
{
    public KvmStatus Status => new(Usable, Reason);
}

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower)]
[JsonSerializable(typeof(KvmVerdict))]
internal sealed partial class KvmVerdictJson : JsonSerializerContext;

/// <summary>
/// The KVM verdict kept in the state dir, so a restarted plugin answers its first fingerprint without
/// running the probe guest again (up to the probe timeout on hosts where KVM guests hang). Anything
/// unreadable is treated as absent: the worst case is one more probe.
/// </summary>
internal static class KvmVerdictStore
{
    public const string FileName = "kvm-verdict.json";

    public static KvmVerdict? Load(string stateDir, KvmVerdictKey key)
    {
        try
        {
            var stored = JsonSerializer.Deserialize(
                File.ReadAllBytes(Path.Combine(stateDir, FileName)),
                KvmVerdictJson.Default.KvmVerdict
            );
            return stored is not null && stored.Key == key ? stored : null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or JsonException)
        {
            return null;
        }
    }

    public static void Save(string stateDir, KvmVerdict verdict)
    {
        try
        {
            Directory.CreateDirectory(stateDir);
            var file = Path.Combine(stateDir, FileName);
            var temp =
                $"{file}.{Environment.ProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture)}.tmp";
            File.WriteAllBytes(temp, JsonSerializer.SerializeToUtf8Bytes(verdict, KvmVerdictJson.Default.KvmVerdict));
            File.Move(temp, file, overwrite: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Not fatal: the verdict still holds for this process; the next one probes again.
        }
    }
}
