using System.Text;
using System.Text.Json;

namespace NomadQemu.Logging;

/// <summary>
/// Writes log records as hclog JSON lines, the shape go-plugin's stderr reader understands:
/// <c>@level</c> (lower case trace/debug/info/warn/error), <c>@message</c>, <c>@timestamp</c> with exactly
/// six fractional digits, <c>@module</c>, then key/value fields. Anything else is shown verbatim at DEBUG
/// by Nomad, and a non-string <c>@message</c>/<c>@level</c>/<c>@timestamp</c> can break its reader.
/// </summary>
internal sealed class HclogJsonLogger(string module, HclogSink sink, LogLevel minimum) : ILogger
{
    public IDisposable? BeginScope<TState>(TState state)
        where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => logLevel != LogLevel.None && logLevel >= minimum;

    public void Log<TState>(
        LogLevel logLevel,
        EventId eventId,
        TState state,
        Exception? exception,
        Func<TState, Exception?, string> formatter
    )
    {
        if (!IsEnabled(logLevel))
        {
            return;
        }

        sink.Write(Format(logLevel, module, formatter(state, exception), state, exception, DateTimeOffset.UtcNow));
    }

    /// <summary>Renders one hclog JSON line (without the newline). Pure, so tests can pin the shape.</summary>
    public static string Format<TState>(
        LogLevel level,
        string module,
        string message,
        TState state,
        Exception? exception,
        DateTimeOffset now
    )
    {
        using var buffer = new MemoryStream(256);
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteString("@level", LevelName(level));
            json.WriteString("@message", message);
            json.WriteString("@module", module);
            // hclog's TimeFormatJSON: 2006-01-02T15:04:05.000000Z07:00 — exactly six fractional digits.
            json.WriteString(
                "@timestamp",
                now.UtcDateTime.ToString(
                    "yyyy-MM-dd'T'HH:mm:ss.ffffff'Z'",
                    System.Globalization.CultureInfo.InvariantCulture
                )
            );
            if (state is IReadOnlyList<KeyValuePair<string, object?>> fields)
            {
                foreach (var (key, value) in fields)
                {
                    if (key == "{OriginalFormat}" || key.StartsWith('@'))
                    {
                        continue;
                    }
                    json.WriteString(key, Convert.ToString(value, System.Globalization.CultureInfo.InvariantCulture));
                }
            }
            if (exception is not null)
            {
                json.WriteString("error", exception.Message);
                json.WriteString("exception", exception.GetType().FullName);
            }
            json.WriteEndObject();
        }
        return Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length);
    }

    public static string LevelName(LogLevel level) =>
        level switch
        {
            LogLevel.Trace => "trace",
            LogLevel.Debug => "debug",
            LogLevel.Information => "info",
            LogLevel.Warning => "warn",
            _ => "error",
        };
}
