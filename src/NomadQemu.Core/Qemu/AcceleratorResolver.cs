namespace NomadQemu.Core.Qemu;

/// <summary>Turns the job's <c>accelerator</c> into what QEMU gets.</summary>
public static class AcceleratorResolver
{
    public const string Auto = "auto";
    public const string Kvm = "kvm";
    public const string Tcg = "tcg";

    /// <summary><c>auto</c> → <c>kvm</c> when the fingerprint proved KVM usable, else <c>tcg</c>; anything else passes through.</summary>
    public static string Resolve(string? configured, bool kvmUsable) =>
        string.IsNullOrWhiteSpace(configured) || configured.Trim() == Auto
            ? (kvmUsable ? Kvm : Tcg)
            : configured.Trim();
}
