namespace NomadQemu.Core.Validation.Args;

/// <summary>
/// A verdict for part of an option's value: a type (glob such as <c>vfio-*</c>) or a property name (exact).
/// </summary>
internal sealed record QemuValueRule(string Pattern, QemuOptionClass Class, string Reason);
