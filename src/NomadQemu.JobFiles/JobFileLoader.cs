using System.Text;
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
        byte[] bytes;
        try
        {
            bytes = ReadBounded(path);
        }
        catch (Exception failure) when (failure is IOException or UnauthorizedAccessException)
        {
            throw new HclException(new HclPosition(path, 0, 0), $"cannot read the job file: {failure.Message}");
        }
        var directory = Path.GetDirectoryName(Path.GetFullPath(path)) ?? ".";
        return Parse(bytes, path, directory, vars, Environment.GetEnvironmentVariable);
    }

    /// <summary>
    /// Reads at most one byte past <see cref="HclLimits.MaxFileBytes"/>, whatever the file claims to be: the
    /// path may name a pipe or a device (<c>validate /dev/stdin</c>), whose length says nothing.
    /// </summary>
    private static byte[] ReadBounded(string path)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite, 1, false);
        var buffer = new byte[64 * 1024];
        using var content = new MemoryStream();
        int read;
        while ((read = stream.Read(buffer, 0, buffer.Length)) > 0)
        {
            content.Write(buffer, 0, read);
            if (content.Length > HclLimits.MaxFileBytes)
            {
                throw TooLarge(path);
            }
        }
        return content.ToArray();
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
        Parse(
            text.Length <= HclLimits.MaxFileBytes ? Encoding.UTF8.GetBytes(text) : throw TooLarge(fileName),
            fileName,
            baseDirectory,
            vars,
            environment ?? Environment.GetEnvironmentVariable
        );

    private static JobSpec Parse(
        byte[] bytes,
        string fileName,
        string baseDirectory,
        IReadOnlyDictionary<string, string>? vars,
        Func<string, string?> environment
    )
    {
        if (bytes.Length > HclLimits.MaxFileBytes)
        {
            throw TooLarge(fileName);
        }
        vars ??= new Dictionary<string, string>();
        var text = Encoding.UTF8.GetString(bytes).TrimStart('\uFEFF');
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
