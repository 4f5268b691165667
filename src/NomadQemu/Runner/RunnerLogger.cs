namespace NomadQemu.Runner;

/// <summary>
/// The driver core's log, shown on stderr in runner mode: warnings and errors by default, everything with
/// --verbose. Plugin mode uses hclog JSON instead; the runner talks to a human.
/// </summary>
internal sealed class RunnerLoggerProvider(LogLevel minimum) : ILoggerProvider, ILoggerFactory
{
    private static readonly Lock s_gate = new();

    public ILogger CreateLogger(string categoryName) => new RunnerLogger(minimum);

    public void AddProvider(ILoggerProvider provider) { }

    public void Dispose() { }

    private sealed class RunnerLogger(LogLevel minimum) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel >= minimum && logLevel != LogLevel.None;

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
            var level = logLevel switch
            {
                LogLevel.Trace or LogLevel.Debug => "debug",
                LogLevel.Information => "info",
                LogLevel.Warning => "warn",
                _ => "error",
            };
            lock (s_gate)
            {
                Console.Error.WriteLine($"driver {level}: {formatter(state, exception)}");
            }
        }
    }
}
