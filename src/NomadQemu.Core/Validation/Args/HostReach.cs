namespace NomadQemu.Core.Validation.Args;

/// <summary>One way an option occurrence reaches the host: the whole option, its type, or one property.</summary>
/// <param name="Type">Set when the value's type reaches the host.</param>
/// <param name="Property">Set (normalised) when a property reaches the host.</param>
internal sealed record HostReach(string? Type, string? Property, string Reason)
{
    public string Describe() =>
        Type is not null ? $"type \"{Type}\" {Reason}"
        : Property is not null ? $"property {Property}= {Reason}"
        : Reason;
}
