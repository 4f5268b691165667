namespace NomadQemu.Driver;

/// <summary>One TaskStats sample in Nomad's terms (percentages of one core).</summary>
public sealed record TaskUsage(
    DateTimeOffset Timestamp,
    double UserPercent,
    double SystemPercent,
    double Percent,
    double TotalTicks,
    ulong RssBytes
);
