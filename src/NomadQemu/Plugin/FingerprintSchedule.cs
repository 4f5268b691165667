namespace NomadQemu.Plugin;

/// <summary>How often the Fingerprint stream repeats (30 s like every HashiCorp driver; tests may shorten it).</summary>
internal sealed record FingerprintSchedule(TimeSpan Period);
