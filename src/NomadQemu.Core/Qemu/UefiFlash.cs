namespace NomadQemu.Core.Qemu;

/// <summary>
/// The UEFI firmware QEMU maps: <paramref name="CodePath"/> from the host install (read-only pflash unit 0) and
/// the task's own variable store, reached through fd set <paramref name="VarsFdSet"/> (pflash unit 1).
/// </summary>
public sealed record UefiFlash(string CodePath, int VarsFdSet, bool SecureBoot);
