namespace NomadQemu.CloudInit;

/// <summary>
/// A cloud-init input was refused. The message is written for the job author and names the part at fault
/// (<see cref="Part"/>: <c>meta-data</c>, <c>user-data</c>, ...); it never quotes user-data or vendor-data, which
/// may hold secrets.
/// </summary>
public sealed class CloudInitException : Exception
{
    public CloudInitException(string part, string message)
        : base($"cloud-init {part}: {message}")
    {
        Part = part;
    }

    public CloudInitException(string part, string message, Exception innerException)
        : base($"cloud-init {part}: {message}", innerException)
    {
        Part = part;
    }

    /// <summary>The seed file or request field at fault (see <see cref="SeedFileNames"/>).</summary>
    public string Part { get; }
}
