using System.Text;
using System.Text.Json;
using Microsoft.Win32.SafeHandles;
using NomadQemu.CloudInit;
using NomadQemu.CloudInit.Network;
using NomadQemu.Core.Config;
using NomadQemu.Core.Qemu;
using NomadQemu.Driver.Files;

namespace NomadQemu.Driver;

public sealed partial class QemuDriver
{
    /// <summary>The file name of the seed image in the task's private run dir.</summary>
    public const string SeedFileName = "cidata.iso";

    /// <summary>
    /// The task's NoCloud seed, built and checked at plan time (so a bad input refuses the start before anything
    /// exists) and written at start into the private run dir, at the descriptor slot the argv already names.
    /// </summary>
    internal sealed record SeedPlan(string Path, int Fd, CloudInitSeed Seed);

    /// <summary>
    /// Reads every document the <c>cloud_init</c> block gives (inline, or a file opened once beneath the task's
    /// allowed roots and read with a size bound), builds the seed with the driver's defaults, and reserves its
    /// descriptor. Nothing here logs or quotes a document: user-data and vendor-data may hold secrets.
    /// </summary>
    private static (SeedPlan Plan, DriveSpec Drive, string Mac)? PlanSeed(
        TaskConfig config,
        TaskRequest request,
        IReadOnlyList<string> roots,
        PassedFds fds
    )
    {
        if (config.CloudInit is not { } cloudInit)
        {
            return null;
        }
        var mac = MacAddress.ForTask(request.AllocId, request.TaskName);
        CloudInitSeed seed;
        try
        {
            seed = SeedBuilder.Build(
                new SeedRequest
                {
                    AllocId = request.AllocId,
                    TaskName = request.TaskName,
                    UserData = Document(
                        cloudInit.UserData,
                        TaskConfigSchema.CloudInitUserDataFile,
                        cloudInit.UserDataFile,
                        CloudInitLimits.MaxUserDataBytes,
                        request,
                        roots
                    ),
                    MetaData = cloudInit.MetaData.Count == 0 ? null : MetaDataJson(cloudInit.MetaData),
                    VendorData = Document(
                        cloudInit.VendorData,
                        TaskConfigSchema.CloudInitVendorDataFile,
                        cloudInit.VendorDataFile,
                        CloudInitLimits.MaxVendorDataBytes,
                        request,
                        roots
                    ),
                    NetworkConfig = Document(
                        cloudInit.NetworkConfig,
                        TaskConfigSchema.CloudInitNetworkConfigFile,
                        cloudInit.NetworkConfigFile,
                        CloudInitLimits.MaxNetworkConfigBytes,
                        request,
                        roots
                    ),
                    // DHCP on the driver's NIC, matched by the MAC the driver gives it: SLIRP's DHCP hands out the
                    // same address, gateway and resolver a static config would name, and stays right with dns=.
                    DefaultNetwork = new UserNetworkConfig { MacAddress = mac },
                }
            );
        }
        catch (CloudInitException e)
        {
            throw ConfigException.ForKey(KeyOf(e.Part, cloudInit), e.Message);
        }
        var slot = fds.Reserve();
        var drive = new DriveSpec(new DiskLayer("raw", fds.NewSet(slot)));
        var path = Path.Combine(request.TaskDir, RunDirName, SeedFileName);
        return (new SeedPlan(path, slot, seed), drive, mac.ToString());
    }

    /// <summary>An inline document as UTF-8, a file's bytes (at most one byte over the limit, so the builder can
    /// refuse it by size without reading a huge file), or null when neither is given.</summary>
    private static byte[]? Document(
        string? inline,
        string fileKey,
        string? file,
        int limit,
        TaskRequest request,
        IReadOnlyList<string> roots
    )
    {
        if (inline is not null)
        {
            return Encoding.UTF8.GetBytes(inline);
        }
        if (file is null)
        {
            return null;
        }
        var key = CloudInitConfig.FullKey(fileKey);
        using var opened = ConfinedOpener.Open(key, file, request.TaskDir, roots, writable: false);
        var buffer = new byte[Math.Min(opened.Size, (long)limit) + 1];
        var total = 0;
        int read;
        while (total < buffer.Length && (read = RandomAccess.Read(opened.Handle, buffer.AsSpan(total), total)) > 0)
        {
            total += read;
        }
        return buffer[..total];
    }

    private static byte[] MetaDataJson(IReadOnlyList<KeyValuePair<string, string>> entries)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            foreach (var (key, value) in entries)
            {
                json.WriteString(key, value);
            }
            json.WriteEndObject();
        }
        return buffer.ToArray();
    }

    /// <summary>The config key behind a seed part ("user-data" → <c>cloud_init.user_data</c> or <c>.user_data_file</c>).</summary>
    private static string KeyOf(string part, CloudInitConfig cloudInit)
    {
        var (inlineKey, fileKey, file) = part switch
        {
            SeedFileNames.UserData => (
                TaskConfigSchema.CloudInitUserData,
                TaskConfigSchema.CloudInitUserDataFile,
                cloudInit.UserDataFile
            ),
            SeedFileNames.VendorData => (
                TaskConfigSchema.CloudInitVendorData,
                TaskConfigSchema.CloudInitVendorDataFile,
                cloudInit.VendorDataFile
            ),
            SeedFileNames.NetworkConfig => (
                TaskConfigSchema.CloudInitNetworkConfig,
                TaskConfigSchema.CloudInitNetworkConfigFile,
                cloudInit.NetworkConfigFile
            ),
            SeedFileNames.MetaData => (TaskConfigSchema.CloudInitMetaData, "", null),
            _ => ("", "", null),
        };
        return inlineKey.Length == 0 ? TaskConfigSchema.CloudInit
            : file is not null ? CloudInitConfig.FullKey(fileKey)
            : CloudInitConfig.FullKey(inlineKey);
    }

    /// <summary>
    /// Writes the seed image private to the task (0600, in the 0700 run dir, created fresh: the run dir was just
    /// made) and hands QEMU a read-only descriptor of it.
    /// </summary>
    private static void WriteSeed(LaunchPlan plan)
    {
        if (plan.Seed is not { } seed)
        {
            return;
        }
        using (
            var stream = new FileStream(
                seed.Path,
                new FileStreamOptions
                {
                    Mode = FileMode.CreateNew,
                    Access = FileAccess.Write,
                    UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite,
                }
            )
        )
        {
            IsoSeedImage.Write(stream, seed.Seed);
        }
        plan.Fds.Fill(seed.Fd, OpenReadOnly(seed.Path));
    }

    private static SafeFileHandle OpenReadOnly(string path) => File.OpenHandle(path, FileMode.Open, FileAccess.Read);
}
