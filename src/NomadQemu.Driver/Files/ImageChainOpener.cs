using NomadQemu.Core.Config;
using NomadQemu.Core.Images;
using NomadQemu.Core.Qemu;

namespace NomadQemu.Driver.Files;

/// <summary>
/// Opens <c>image_path</c> and everything its header refers to, by the same rule (beneath an allowed root, see
/// <see cref="ConfinedOpener"/>), and describes the chain so QEMU is handed every layer explicitly. A reference
/// that does not resolve inside the roots is refused with an error naming the image and the reference.
/// </summary>
internal static class ImageChainOpener
{
    /// <summary>Deep enough for any sane chain; a loop or a crafted thousand-layer chain stops here.</summary>
    public const int MaxDepth = 8;

    /// <summary>One opened layer and what it refers to.</summary>
    internal sealed record Layer(
        OpenedFile File,
        ImageFormatDetector.Kind Kind,
        ulong VirtualSize,
        Layer? Backing,
        OpenedFile? DataFile
    )
    {
        public IEnumerable<OpenedFile> Files =>
            new[] { File, DataFile }.OfType<OpenedFile>().Concat(Backing?.Files ?? []);
    }

    /// <exception cref="ConfigException">A refused reference, an unreadable header, or a chain too deep.</exception>
    public static Layer Open(
        string path,
        ImageFormat? declared,
        bool writable,
        string taskDir,
        IReadOnlyList<string> roots,
        string key = TaskConfigSchema.ImagePath
    )
    {
        var file = ConfinedOpener.Open(key, path, taskDir, roots, writable);
        try
        {
            return Inspect(file, declared, writable, roots, depth: 0);
        }
        catch
        {
            file.Dispose();
            throw;
        }
    }

    private static Layer Inspect(
        OpenedFile file,
        ImageFormat? declared,
        bool writable,
        IReadOnlyList<string> roots,
        int depth
    )
    {
        using var stream = file.ReadStream();
        var kind = ImageFormatDetector.Detect(stream, declared);
        if (kind != ImageFormatDetector.Kind.Qcow2)
        {
            // raw (and ISO, which is raw): no format metadata, so nothing in it can name another file.
            return new Layer(file, kind, (ulong)file.Size, null, null);
        }
        Qcow2Header header;
        try
        {
            header = Qcow2HeaderReader.Read(stream);
        }
        catch (InvalidDataException e)
        {
            throw ConfigException.ForKey(file.Key, $"image \"{file.Name}\" is not a usable qcow2 image: {e.Message}");
        }

        OpenedFile? dataFile = null;
        Layer? backing = null;
        try
        {
            if (header.HasExternalDataFile)
            {
                var name =
                    header.DataFile
                    ?? throw ConfigException.ForKey(
                        file.Key,
                        $"image \"{file.Name}\" needs an external data file but names none"
                    );
                dataFile = OpenReference(file, "external data file", name, writable, roots);
            }
            if (header.BackingFile is { } backingName)
            {
                backing = OpenBacking(file, header, backingName, roots, depth);
            }
            return new Layer(file, kind, header.VirtualSize, backing, dataFile);
        }
        catch
        {
            dataFile?.Dispose();
            foreach (var opened in backing?.Files ?? [])
            {
                opened.Dispose();
            }
            throw;
        }
    }

    private static Layer OpenBacking(
        OpenedFile image,
        Qcow2Header header,
        string backingName,
        IReadOnlyList<string> roots,
        int depth
    )
    {
        if (depth + 1 >= MaxDepth)
        {
            throw Refused(image, "backing file", backingName, $"the backing chain is deeper than {MaxDepth} layers");
        }
        // The format must be stated in the image: guessing it from the backing file's content is exactly the
        // probing a guest can subvert by writing a header into a raw disk.
        var format = header.BackingFormat switch
        {
            "qcow2" => ImageFormat.Qcow2,
            "raw" => ImageFormat.Raw,
            null => throw Refused(
                image,
                "backing file",
                backingName,
                "the image does not record the backing format (recreate it with qemu-img create -F raw|qcow2)"
            ),
            var other => throw Refused(
                image,
                "backing file",
                backingName,
                $"backing format \"{other}\" cannot be inspected (only raw and qcow2 are accepted)"
            ),
        };
        var file = OpenReference(image, "backing file", backingName, writable: false, roots);
        try
        {
            return Inspect(file, format, writable: false, roots, depth + 1);
        }
        catch
        {
            file.Dispose();
            throw;
        }
    }

    private static OpenedFile OpenReference(
        OpenedFile image,
        string what,
        string name,
        bool writable,
        IReadOnlyList<string> roots
    )
    {
        try
        {
            // Relative names are relative to the image's own directory, as QEMU would take them.
            return ConfinedOpener.Open(image.Key, name, image.Directory, roots, writable);
        }
        catch (ConfigException e)
        {
            throw Refused(image, what, name, e.Message);
        }
    }

    private static ConfigException Refused(OpenedFile image, string what, string reference, string why) =>
        ConfigException.ForKey(image.Key, $"image \"{image.Name}\" refers to {what} \"{reference}\", refused: {why}");

    /// <summary>
    /// Adds every file of the chain to <paramref name="fds"/> and returns the chain as QEMU should open it.
    /// A writable layer gets a read-write and a read-only descriptor in its set (QEMU picks by access mode).
    /// </summary>
    public static DiskLayer ToDiskLayer(Layer layer, PassedFds fds) =>
        new(
            ImageFormatDetector.QemuFormat(layer.Kind),
            AddFile(layer.File, fds),
            layer.Backing is null ? null : ToDiskLayer(layer.Backing, fds),
            layer.DataFile is null ? null : AddFile(layer.DataFile, fds)
        );

    private static int AddFile(OpenedFile file, PassedFds fds)
    {
        var fd = fds.Add(file.Handle);
        return file.Writable ? fds.NewSet(fd, fds.Add(file.ReopenReadOnly())) : fds.NewSet(fd);
    }
}
