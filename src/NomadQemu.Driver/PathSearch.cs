namespace NomadQemu.Driver;

/// <summary>
/// Looks programs up on a <c>PATH</c> value the way a shell does: directories in order, the first executable
/// file of a name wins. The one place the driver searches PATH (QEMU, qemu-img, nsenter).
/// </summary>
internal static class PathSearch
{
    /// <summary>The first executable named <paramref name="name"/>, or null.</summary>
    public static string? Find(string? pathVariable, string name) =>
        Directories(pathVariable).Select(dir => Path.Combine(dir, name)).FirstOrDefault(IsExecutable);

    /// <summary>Every executable whose name starts with <paramref name="prefix"/>, in PATH order (a name may repeat).</summary>
    public static IEnumerable<string> FindAll(string? pathVariable, string prefix)
    {
        foreach (var dir in Directories(pathVariable))
        {
            string[] candidates;
            try
            {
                candidates = Directory.GetFiles(dir, prefix + "*");
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException)
            {
                continue;
            }
            Array.Sort(candidates, StringComparer.Ordinal);
            foreach (var file in candidates.Where(IsExecutable))
            {
                yield return file;
            }
        }
    }

    private static IEnumerable<string> Directories(string? pathVariable) =>
        (pathVariable ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries);

    private static bool IsExecutable(string file)
    {
        try
        {
            var mode = File.GetUnixFileMode(file);
            return File.Exists(file)
                && (mode & (UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute)) != 0;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException)
        {
            return false;
        }
    }
}
