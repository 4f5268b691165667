namespace NomadQemu.Qmp.Tests;

/// <summary>Unix socket paths must fit in sockaddr_un (108 bytes with the NUL), so tests use /tmp/&lt;short random&gt; rather than deep temp dirs.</summary>
internal static class ShortTempPaths
{
    public static string NewDirectory(string prefix)
    {
        var directory = Path.Combine("/tmp", $"{prefix}-{Guid.NewGuid().ToString("N")[..10]}");
        Directory.CreateDirectory(directory);
        return directory;
    }

    public static void DeleteQuietly(string directory)
    {
        try
        {
            Directory.Delete(directory, recursive: true);
        }
        catch (IOException) { }
        catch (UnauthorizedAccessException) { }
    }
}
