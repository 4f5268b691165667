namespace NomadQemu.Core.Validation.Args;

/// <summary>One option as QEMU reads it from <c>args</c>: the option word at <see cref="Index"/>, and its value when it takes one.</summary>
/// <param name="Spelling">The option word exactly as written (<c>--device</c>).</param>
internal sealed record QemuArgument(int Index, string Spelling, QemuOptionSpec Spec, string? Value)
{
    public string Name => Spec.Name;
}
