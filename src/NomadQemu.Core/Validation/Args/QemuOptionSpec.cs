namespace NomadQemu.Core.Validation.Args;

/// <summary>
/// One row of the grammar table: a QEMU option, whether it consumes the next word as its value, and what it may
/// reach. <see cref="Values"/> is set when the verdict depends on the value (for example <c>-device</c>).
/// </summary>
/// <param name="Name">The option with one leading dash, as QEMU's option table spells it (<c>-device</c>).</param>
/// <param name="TakesValue">QEMU's HAS_ARG: the next word is this option's value, whatever it looks like.</param>
/// <param name="Class">The verdict for the option itself; ignored for the value when <see cref="Values"/> is set.</param>
/// <param name="Reason">Why the option has its class, for refusals and the README.</param>
/// <param name="Since">First QEMU version that knows the option when it is newer than 7.2 (the floor we support).</param>
internal sealed record QemuOptionSpec(
    string Name,
    bool TakesValue,
    QemuOptionClass Class,
    string Reason,
    QemuValueRules? Values = null,
    string? Since = null
);
