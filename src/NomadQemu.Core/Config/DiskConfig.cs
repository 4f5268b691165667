using NomadQemu.Core.Cty;

namespace NomadQemu.Core.Config;

/// <summary>
/// One <c>disk { ... }</c> block: an extra disk next to the boot image, either an image the job names
/// (<see cref="Source"/>, opened by the same guards as <c>image_path</c>, with its format stated) or a blank qcow2 of
/// <see cref="SizeBytes"/> the driver creates once per task and keeps across task restarts.
/// </summary>
public sealed record DiskConfig
{
    /// <summary>Smallest and largest blank disk: below 1 MiB nothing formats it, above 64 TiB is a typo.</summary>
    public const long MinSizeBytes = 1L << 20;

    public const long MaxSizeBytes = 64L << 40;

    /// <summary>QEMU's virtio-blk and IDE serials are at most 20 bytes.</summary>
    public const int MaxSerialLength = 20;

    public const int MaxBootIndex = 1000;

    /// <summary>At most this many <c>disk</c> blocks per task (also declared in the schema, so Nomad refuses early).</summary>
    public const int MaxDisks = 16;

    /// <summary>Where the block sits in the job (<c>disk[1]</c>), for errors and events.</summary>
    public required string Name { get; init; }

    /// <summary>The image, relative to the task dir or absolute; null for a blank disk.</summary>
    public string? Source { get; init; }

    /// <summary>Blank disks only: the virtual size in bytes.</summary>
    public long? SizeBytes { get; init; }

    /// <summary>The image's format (required for <see cref="Source"/>, never probed); blank disks are qcow2.</summary>
    public ImageFormat Format { get; init; } = ImageFormat.Qcow2;

    /// <summary>The bus; null means the task's effective <c>drive_interface</c>.</summary>
    public DiskInterface? Interface { get; init; }

    public bool ReadOnly { get; init; }

    /// <summary>QEMU <c>cache=</c>; null leaves QEMU's default (writeback).</summary>
    public string? Cache { get; init; }

    /// <summary>QEMU <c>discard=</c> (<c>unmap</c> passes TRIM through to a sparse file); null leaves <c>ignore</c>.</summary>
    public string? Discard { get; init; }

    public string? Serial { get; init; }

    public int? BootIndex { get; init; }

    public bool IsBlank => Source is null;

    private static readonly Dictionary<string, ImageFormat> s_formats = new(StringComparer.Ordinal)
    {
        ["qcow2"] = ImageFormat.Qcow2,
        ["raw"] = ImageFormat.Raw,
    };

    private static readonly Dictionary<string, DiskInterface?> s_interfaces = new(StringComparer.Ordinal)
    {
        ["virtio"] = DiskInterface.Virtio,
        ["ide"] = DiskInterface.Ide,
        ["scsi"] = DiskInterface.Scsi,
    };

    private static readonly Dictionary<string, string?> s_caches = new(StringComparer.Ordinal)
    {
        ["none"] = "none",
        ["writeback"] = "writeback",
        ["writethrough"] = "writethrough",
        ["directsync"] = "directsync",
        ["unsafe"] = "unsafe",
    };

    private static readonly Dictionary<string, string?> s_discards = new(StringComparer.Ordinal)
    {
        ["ignore"] = "ignore",
        ["unmap"] = "unmap",
    };

    /// <summary>Reads the coerced <c>disk</c> blocks (a list, possibly empty).</summary>
    /// <exception cref="ConfigException">A bad value; names the full key (<c>disk[1].size</c>).</exception>
    internal static IReadOnlyList<DiskConfig> ListFromCty(CtyValue blocks) =>
        blocks is CtyList list ? [.. list.Items.Select((item, i) => FromCty((CtyMap)item, i))] : [];

    private static DiskConfig FromCty(CtyMap map, int index)
    {
        var name = $"{TaskConfigSchema.Disk}[{index}]";
        ConfigReader read = new(map, name + ".");
        var source = read.OptionalString(TaskConfigSchema.DiskSource);
        var sizeText = read.OptionalString(TaskConfigSchema.DiskSize);
        var format = read.Choice<ImageFormat?>(TaskConfigSchema.DiskFormat, ToNullable(s_formats), null);
        var readOnly = read.Bool(TaskConfigSchema.DiskReadOnly, whenAbsent: false);
        string Key(string nested) => $"{name}.{nested}";

        if ((source is null) == (sizeText is null))
        {
            throw ConfigException.ForKey(
                name,
                $"give exactly one of \"{Key(TaskConfigSchema.DiskSource)}\" (an image) or \"{Key(TaskConfigSchema.DiskSize)}\" (a blank disk)"
            );
        }
        long? size = null;
        if (sizeText is not null)
        {
            size = ParseSize(Key(TaskConfigSchema.DiskSize), sizeText);
            if (format is ImageFormat.Raw)
            {
                throw ConfigException.ForKey(
                    Key(TaskConfigSchema.DiskFormat),
                    "a blank disk is always a sparse qcow2; leave format out or set \"qcow2\""
                );
            }
            if (readOnly)
            {
                throw ConfigException.ForKey(
                    Key(TaskConfigSchema.DiskReadOnly),
                    "a blank disk cannot be read-only (nothing could ever write it)"
                );
            }
        }
        else if (format is null)
        {
            // Never probed: a raw image whose first bytes look like a qcow2 header would make QEMU open its "backing".
            throw ConfigException.ForKey(
                Key(TaskConfigSchema.DiskFormat),
                $"is required with \"{Key(TaskConfigSchema.DiskSource)}\": \"qcow2\" or \"raw\""
            );
        }

        return new DiskConfig
        {
            Name = name,
            Source = source,
            SizeBytes = size,
            Format = format ?? ImageFormat.Qcow2,
            Interface = read.Choice(TaskConfigSchema.DiskInterface, s_interfaces, null),
            ReadOnly = readOnly,
            Cache = read.Choice(TaskConfigSchema.DiskCache, s_caches, null),
            Discard = read.Choice(TaskConfigSchema.DiskDiscard, s_discards, null),
            Serial = CheckSerial(Key(TaskConfigSchema.DiskSerial), read.OptionalString(TaskConfigSchema.DiskSerial)),
            BootIndex = read.OptionalInt(TaskConfigSchema.DiskBootIndex, 0, MaxBootIndex),
        };
    }

    private static Dictionary<string, ImageFormat?> ToNullable(Dictionary<string, ImageFormat> choices) =>
        choices.ToDictionary(c => c.Key, c => (ImageFormat?)c.Value, StringComparer.Ordinal);

    private static long ParseSize(string key, string text)
    {
        if (!ByteSize.TryParse(text, out var bytes) || bytes < MinSizeBytes || bytes > MaxSizeBytes)
        {
            throw ConfigException.ForKey(
                key,
                $"must be a size from 1MiB to 64TiB such as \"10GiB\" or \"512MB\", got \"{text}\""
            );
        }
        if (bytes % 512 != 0)
        {
            throw ConfigException.ForKey(key, $"must be a whole number of 512-byte sectors, got {bytes} bytes");
        }
        return bytes;
    }

    // A serial becomes part of QEMU's option string and of the guest's /dev/disk/by-id name: a plain token only.
    private static string? CheckSerial(string key, string? serial) =>
        serial is null
        || (serial.Length <= MaxSerialLength && serial.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.'))
            ? serial
            : throw ConfigException.ForKey(
                key,
                $"must be 1 to {MaxSerialLength} letters, digits, '-', '_' or '.', got \"{serial}\""
            );
}
