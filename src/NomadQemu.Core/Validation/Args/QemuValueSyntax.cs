namespace NomadQemu.Core.Validation.Args;

/// <summary>How QEMU reads an option's value, so the policy can find its type and properties.</summary>
internal enum QemuValueSyntax
{
    /// <summary><c>type,key=value,key=value</c> (QemuOpts/keyval; <c>,,</c> is a literal comma) or a JSON object.</summary>
    KeyValue,

    /// <summary>A character-device spec as <c>-serial</c> takes it: <c>none</c>, <c>file:/path</c>, <c>chardev:id</c>, <c>/dev/ttyS0</c>.</summary>
    DeviceSpec,

    /// <summary><c>-global</c>: <c>driver.property=value</c> or <c>driver=d,property=p,value=v</c>.</summary>
    Global,
}
