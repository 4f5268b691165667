// This code drives Linux processes, /proc and unix sockets; it targets Linux only.
[assembly: System.Runtime.Versioning.SupportedOSPlatform("linux")]
