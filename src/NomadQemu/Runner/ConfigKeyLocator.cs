using NomadQemu.JobFiles;
using NomadQemu.JobFiles.Hcl;

namespace NomadQemu.Runner;

/// <summary>
/// Finds where a task's config key is written, so a config error points at the key itself
/// (file:line:col plus a caret) rather than at the task. Falls back to the task's own position for JSON
/// jobs or anything it cannot find.
/// </summary>
internal static class ConfigKeyLocator
{
    public static HclException ErrorAt(string jobFile, GroupSpec group, TaskSpec task, string? key, string detail)
    {
        var text = ReadJobFile(jobFile);
        var position = (key is null || text is null ? null : Find(text, jobFile, group.Name, task.Name, key));
        position ??= task.Position;
        return new HclException(position, detail, position.File == jobFile ? SourceLine(text, position) : null);
    }

    /// <summary>
    /// The job file again, through the loader's own reader: bounded, and refusing a FIFO or device the name may
    /// have been swapped for since it was loaded (a second plain read could block forever). Null if unreadable.
    /// </summary>
    private static string? ReadJobFile(string jobFile)
    {
        try
        {
            return JobFileLoader.ReadText(jobFile);
        }
        catch (HclException)
        {
            return null;
        }
    }

    private static HclPosition? Find(string text, string jobFile, string groupName, string taskName, string key)
    {
        try
        {
            if (text.TrimStart().StartsWith('{'))
            {
                return null;
            }
            var file = HclParser.Parse(text, jobFile);
            var config = file.BlocksOfType("job")
                .SelectMany(job => job.Body.BlocksOfType("group"))
                .Where(g => g.Labels is [var name] && name == groupName)
                .SelectMany(g => g.Body.BlocksOfType("task"))
                .Where(t => t.Labels is [var name] && name == taskName)
                .SelectMany(t => t.Body.BlocksOfType("config"))
                .FirstOrDefault();
            if (config is null)
            {
                return null;
            }
            return Locate(config, key) ?? config.Position;
        }
        catch (HclException)
        {
            return null;
        }
    }

    /// <summary>
    /// A key inside blocks is a path: <c>cloud_init.user_data_file</c>, <c>disk[1].size</c> (the second disk
    /// block). Each step goes one block deeper; the deepest step found wins.
    /// </summary>
    private static HclPosition? Locate(HclBlock config, string key)
    {
        var body = config.Body;
        HclPosition? found = null;
        foreach (var step in key.Split('.'))
        {
            var bracket = step.IndexOf('[', StringComparison.Ordinal);
            var name = bracket < 0 ? step : step[..bracket];
            var index =
                bracket < 0 ? 0
                : int.TryParse(step[(bracket + 1)..].TrimEnd(']'), out var i) ? i
                : 0;
            if (body.Attribute(name) is { } attribute)
            {
                return attribute.Position;
            }
            var block = body.BlocksOfType(name).Skip(index).FirstOrDefault();
            if (block is null)
            {
                return found;
            }
            found = block.Position;
            body = block.Body;
        }
        return found;
    }

    private static string? SourceLine(string? text, HclPosition position)
    {
        if (text is null || position.Line <= 0)
        {
            return null;
        }
        // StringReader breaks lines as the old File.ReadLines did: at \n, \r\n and \r.
        using var reader = new StringReader(text);
        string? line = null;
        for (var i = 0; i < position.Line && (line = reader.ReadLine()) is not null; i++) { }
        return line;
    }
}
