// These tests check Unix file modes and symlinks; the driver targets Linux hosts (QEMU under Nomad).
[assembly: System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
