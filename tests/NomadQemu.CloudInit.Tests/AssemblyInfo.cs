// The seed is read back by Linux tools (isoinfo, xorriso, blkid, cloud-init) and a Linux guest kernel.
[assembly: System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
