using System.Text;
using NomadQemu.JobFiles.Files;
using NomadQemu.JobFiles.Hcl;

namespace NomadQemu.JobFiles;

/// <summary>
/// Reads a Nomad job file into a <see cref="JobSpec"/>. The format is detected from the content: a file whose
/// first non-blank character is '{' is Nomad's API JSON (an HCL body cannot start with '{'), anything else is
/// HCL2 native syntax. Every problem is an <see cref="HclException"/> with file:line:col.
/// </summary>
public static class JobFileLoader
{
    /// <param name="path">The job file; errors name it as given.</param>
    /// <param name="vars">
    /// <c>-var name=value</c> overrides for HCL <c>variable</c> blocks. Variables not given here may also come
    /// from <c>NOMAD_VAR_name</c> environment variables, as with the nomad CLI.
    /// </param>
    public static JobSpec Load(string path, IReadOnlyDictionary<string, string>? vars = null)
    {
        var text = ReadText(path);
        var directory = Path.GetDirectoryName(Path.GetFullPath(path)) ?? ".";
        return ParseText(
            text,
            path,
            directory,
            vars ?? new Dictionary<string, string>(),
            Environment.GetEnvironmentVariable
        );
    }

    /// <summary>
    /// The text of a job file as <see cref="Load"/> parses it, so positions in it match those of the errors.
    /// Only a regular file is read (see <see cref="RegularFile"/>: a FIFO or a device is refused, never waited
    /// on), and at most one byte past <see cref="HclLimits.MaxFileBytes"/>.
    /// </summary>
    /// <exception cref="HclException">Unreadable, not a regular file, or too large; names the file.</exception>
    public static string ReadText(string path)
    {
        byte[] bytes;
        try
        {
            bytes = RegularFile.ReadBounded(path, HclLimits.MaxFileBytes);
        }
        catch (Exception failure) when (failure is IOException or UnauthorizedAccessException)
        {
            throw new HclException(new HclPosition(path, 0, 0), $"cannot read the job file: {failure.Message}");
        }
        return Decode(bytes, path);
    }

    private static HclException TooLarge(string fileName) =>
        new(
            new HclPosition(fileName, 0, 0),
            $"the job file is larger than the limit of {HclLimits.MaxFileBytes} bytes"
        );

    /// <summary>Parses job file content already in memory.</summary>
    /// <param name="baseDirectory">The directory <c>file()</c> paths are relative to.</param>
    /// <param name="environment">Source of <c>NOMAD_VAR_*</c> values and of <c>env()</c>; the process environment if null.</param>
    public static JobSpec Parse(
        string text,
        string fileName,
        string baseDirectory,
        IReadOnlyDictionary<string, string>? vars = null,
        Func<string, string?>? environment = null
    ) =>
        ParseText(
            Decode(
                text.Length <= HclLimits.MaxFileBytes ? Encoding.UTF8.GetBytes(text) : throw TooLarge(fileName),
                fileName
            ),
            fileName,
            baseDirectory,
            vars ?? new Dictionary<string, string>(),
            environment ?? Environment.GetEnvironmentVariable
        );

    private static string Decode(byte[] bytes, string fileName) =>
        bytes.Length <= HclLimits.MaxFileBytes
            ? Encoding.UTF8.GetString(bytes).TrimStart('\uFEFF')
            : throw TooLarge(fileName);

    private static JobSpec ParseText(
        string text,
        string fileName,
        string baseDirectory,
        IReadOnlyDictionary<string, string> vars,
        Func<string, string?> environment
    )
    {
        if (text.TrimStart().StartsWith('{'))
        {
            if (vars.Count > 0)
            {
                throw new HclException(
                    new HclPosition(fileName, 0, 0),
                    "-var values apply only to HCL job files; this one is JSON"
                );
            }
            var utf8 = Encoding.UTF8.GetBytes(text);
            return JsonJobDecoder.Decode(utf8, fileName);
        }
        var body = HclParser.Parse(text, fileName);
        var context = new HclEvalContext(baseDirectory) { ReadEnvironment = environment };
        return HclJobDecoder.Decode(body, context, vars, environment);
    }
}
