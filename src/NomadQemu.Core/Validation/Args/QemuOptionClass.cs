namespace NomadQemu.Core.Validation.Args;

/// <summary>What a QEMU option (or one of its value's types or properties) can do to the host or the driver.</summary>
internal enum QemuOptionClass
{
    /// <summary>Acts on the guest only: allowed by default.</summary>
    Safe,

    /// <summary>Opens a host path, talks to a host socket, device or process, or binds a host address: refused unless the operator's <c>args_allowlist</c> names it.</summary>
    HostReaching,

    /// <summary>Belongs to the driver (supervision, control channels, resources, the jail): refused whatever the allowlist says.</summary>
    DriverOwned,
}
