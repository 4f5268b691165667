using System.Globalization;
using System.Text;
using NomadQemu.JobFiles.Files;

namespace NomadQemu.JobFiles.Hcl;

/// <summary>
/// The functions job files may call. All but <c>env</c> exist in Nomad's HCL2 job parser with the same meaning.
/// <c>env("NAME")</c> is our addition for standalone runs: Nomad's job parser itself has no <c>env</c>
/// function (there a variable takes its value from a <c>NOMAD_VAR_name</c> environment variable instead,
/// which <see cref="JobFileLoader"/> also honours); a job using <c>env()</c> will not parse in real Nomad.
/// </summary>
public static class HclStandardFunctions
{
    public static IReadOnlyDictionary<string, HclFunction> All { get; } =
        new Dictionary<string, HclFunction>(StringComparer.Ordinal)
        {
            ["env"] = (args, context) => new HclString(context.ReadEnvironment(StringArgument(args, 0, 1)) ?? ""),
            ["upper"] = (args, _) => new HclString(StringArgument(args, 0, 1).ToUpperInvariant()),
            ["lower"] = (args, _) => new HclString(StringArgument(args, 0, 1).ToLowerInvariant()),
            ["format"] = (args, _) => new HclString(Format(args)),
            ["concat"] = (args, _) => Concat(args),
            ["join"] = (args, _) => new HclString(Join(args)),
            ["length"] = (args, _) => new HclNumber(Length(args)),
            ["tostring"] = (args, _) => ToStringValue(args),
            ["tonumber"] = (args, _) => ToNumberValue(args),
            ["file"] = (args, context) => new HclString(ReadFile(StringArgument(args, 0, 1), context.BaseDirectory)),
        };

    private static void ExpectCount(IReadOnlyList<HclValue> args, int count)
    {
        if (args.Count != count)
        {
            throw new HclFunctionException($"expected {count} argument{(count == 1 ? "" : "s")}, got {args.Count}");
        }
    }

    private static string StringArgument(IReadOnlyList<HclValue> args, int index, int count)
    {
        ExpectCount(args, count);
        return HclValueText.AsString(args[index])
            ?? throw new HclFunctionException($"argument {index + 1} must be a string, not {args[index].TypeName}");
    }

    private static HclList ListArgument(HclValue value, int index) =>
        value as HclList
        ?? throw new HclFunctionException($"argument {index + 1} must be a list, not {value.TypeName}");

    private static string Join(IReadOnlyList<HclValue> args)
    {
        if (args.Count < 2)
        {
            throw new HclFunctionException("expected a separator and at least one list");
        }
        var separator =
            HclValueText.AsString(args[0]) ?? throw new HclFunctionException("the separator must be a string");
        var items = args.Skip(1)
            .SelectMany((a, i) => ListArgument(a, i + 1).Items)
            .Select(item =>
                HclValueText.AsString(item) ?? throw new HclFunctionException($"cannot join a {item.TypeName} element")
            )
            .ToList();
        // Measured before joining: the lists may repeat one long string many times.
        var length = (long)separator.Length * Math.Max(0, items.Count - 1) + items.Sum(item => (long)item.Length);
        CheckLength(length);
        return string.Join(separator, items);
    }

    private static HclList Concat(IReadOnlyList<HclValue> args)
    {
        var lists = args.Select(ListArgument).ToList();
        var count = lists.Sum(list => (long)list.Count);
        if (count > HclLimits.MaxCollectionItems)
        {
            throw new HclFunctionException(
                $"the result would have {count} items, more than the limit of {HclLimits.MaxCollectionItems}"
            );
        }
        return new HclList(lists.SelectMany(list => list.Items).ToArray());
    }

    private static void CheckLength(long length)
    {
        if (length > HclLimits.MaxStringLength)
        {
            throw new HclFunctionException(HclValueLimits.StringTooLong(length));
        }
    }

    private static int Length(IReadOnlyList<HclValue> args)
    {
        ExpectCount(args, 1);
        return args[0] switch
        {
            HclList list => list.Count,
            HclObject obj => obj.Count,
            // HCL counts user-perceived characters, not UTF-16 units.
            HclString s => new StringInfo(s.Value).LengthInTextElements,
            var other => throw new HclFunctionException($"cannot take the length of a {other.TypeName}"),
        };
    }

    private static HclValue ToStringValue(IReadOnlyList<HclValue> args)
    {
        ExpectCount(args, 1);
        return args[0] is HclNull
            ? args[0]
            : new HclString(
                HclValueText.AsString(args[0])
                    ?? throw new HclFunctionException($"cannot convert a {args[0].TypeName} to a string")
            );
    }

    private static HclValue ToNumberValue(IReadOnlyList<HclValue> args)
    {
        ExpectCount(args, 1);
        return args[0] switch
        {
            HclNumber or HclNull => args[0],
            HclString s when NumberText.TryParse(s.Value, out var number) => new HclNumber(number),
            HclString s => throw new HclFunctionException($"cannot convert {HclValueText.Quote(s.Value)} to a number"),
            var other => throw new HclFunctionException($"cannot convert a {other.TypeName} to a number"),
        };
    }

    private static string ReadFile(string path, string baseDirectory)
    {
        var full = Path.GetFullPath(Path.Combine(baseDirectory, path));
        try
        {
            // Read at most one character past the limit, whatever the file claims to be: a /proc file reports
            // length 0, and a file may grow while it is read.
            using var reader = new StreamReader(RegularFile.OpenRead(full), detectEncodingFromByteOrderMarks: true);
            var buffer = new char[Math.Min(HclLimits.MaxStringLength + 1, 64 * 1024)];
            var text = new StringBuilder();
            int read;
            while ((read = reader.Read(buffer, 0, buffer.Length)) > 0)
            {
                text.Append(buffer, 0, read);
                if (text.Length > HclLimits.MaxStringLength)
                {
                    throw new HclFunctionException(
                        $"\"{full}\" is longer than the limit of {HclLimits.MaxStringLength} characters"
                    );
                }
            }
            return text.ToString();
        }
        catch (Exception failure) when (failure is IOException or UnauthorizedAccessException)
        {
            throw new HclFunctionException($"cannot read \"{full}\": {failure.Message}");
        }
    }

    /// <summary>printf-style formatting: %s, %d, %f, %v, %q and %%.</summary>
    private static string Format(IReadOnlyList<HclValue> args)
    {
        if (args.Count == 0)
        {
            throw new HclFunctionException("expected a format string");
        }
        var spec = HclValueText.AsString(args[0]) ?? throw new HclFunctionException("the format must be a string");
        var output = new StringBuilder();
        var next = 1;
        for (var i = 0; i < spec.Length; i++)
        {
            if (spec[i] != '%')
            {
                output.Append(spec[i]);
                continue;
            }
            CheckLength(output.Length);
            if (++i >= spec.Length)
            {
                throw new HclFunctionException("the format ends with a lone %");
            }
            var verb = spec[i];
            if (verb == '%')
            {
                output.Append('%');
                continue;
            }
            if (next >= args.Count)
            {
                throw new HclFunctionException($"not enough arguments for %{verb}");
            }
            var value = args[next++];
            CheckLength(output.Length + HclValueSize.Weight(value));
            output.Append(
                verb switch
                {
                    's' or 'v' => HclValueText.AsString(value) ?? HclValueText.Render(value),
                    'q' => HclValueText.Quote(
                        HclValueText.AsString(value) ?? throw new HclFunctionException("%q needs a string")
                    ),
                    'd' => value is HclNumber { Value: var d } && d == decimal.Truncate(d)
                        ? d.ToString("0", CultureInfo.InvariantCulture)
                        : throw new HclFunctionException($"%d needs a whole number, got {HclValueText.Render(value)}"),
                    'f' => value is HclNumber { Value: var f }
                        ? f.ToString("0.000000", CultureInfo.InvariantCulture)
                        : throw new HclFunctionException($"%f needs a number, got {HclValueText.Render(value)}"),
                    _ => throw new HclFunctionException($"unsupported format verb %{verb}"),
                }
            );
        }
        CheckLength(output.Length);
        if (next < args.Count)
        {
            throw new HclFunctionException($"too many arguments: the format uses {next - 1}, got {args.Count - 1}");
        }
        return output.ToString();
    }
}
