using BenchmarkDotNet.Attributes;
using NomadQemu.Core.Validation.Args;

namespace NomadQemu.Micro;

/// <summary>
/// Per-call cost of the args policy on the largest realistic <c>args</c> list (40 elements: CPU, SMP, NUMA
/// memory objects, several virtio devices, a user netdev, a ringbuf console, a JSON device, globals, RTC, boot),
/// against the flag-only scan the built-in driver (and our previous guard) did over the same list.
/// Run with <c>dotnet run -c Release --project bench/NomadQemu.Micro -- --filter '*ArgsPolicyBenchmarks*'</c>.
/// </summary>
[MemoryDiagnoser]
public class ArgsPolicyBenchmarks
{
    private static readonly string[] s_args =
    [
        "-machine",
        "q35,smm=off,vmport=off",
        "-cpu",
        "Skylake-Client,+vmx,-hle,-rtm",
        "-smp",
        "cores=2,threads=2,sockets=1",
        "-object",
        "memory-backend-ram,id=m0,size=256M",
        "-object",
        "memory-backend-ram,id=m1,size=256M",
        "-numa",
        "node,nodeid=0,memdev=m0",
        "-numa",
        "node,nodeid=1,memdev=m1",
        "-object",
        "iothread,id=io0",
        "-device",
        "virtio-rng-pci,max-bytes=1024,period=1000",
        "-device",
        "virtio-balloon-pci,id=balloon0",
        "-netdev",
        "user,id=n1,restrict=on,dnssearch=example.com",
        "-device",
        "virtio-net-pci,netdev=n1,mac=52:54:00:12:34:57,romfile=",
        "-chardev",
        "ringbuf,id=log0,size=65536",
        "-device",
        "{\"driver\": \"virtio-serial-pci\", \"id\": \"vser1\", \"max_ports\": 4}",
        "-global",
        "kvm-pit.lost_tick_policy=discard",
        "-global",
        "ICH9-LPC.disable_s3=1",
        "-rtc",
        "base=utc,clock=host,driftfix=slew",
        "-boot",
        "order=c,menu=off,strict=on",
        "-vga",
        "none",
        "-usb",
        "-nodefaults",
    ];

    private static readonly string[] s_builtinAllowlist =
    [
        "-machine",
        "-cpu",
        "-smp",
        "-object",
        "-numa",
        "-device",
        "-netdev",
        "-chardev",
        "-global",
        "-rtc",
        "-boot",
        "-vga",
        "-usb",
        "-nodefaults",
    ];
    private static readonly ArgsAllowlist s_valueAllowlist = ArgsAllowlist.Parse([
        "-machine",
        "-cpu",
        "-smp",
        "-object=memory-backend-ram",
        "-object=iothread",
        "-numa",
        "-device=virtio-*",
        "-netdev=user",
        "-chardev=ringbuf",
        "-global",
        "-rtc",
        "-boot",
        "-vga",
        "-usb",
        "-nodefaults",
    ]);

    private HashSet<string> _builtinSet = [];
    private string[] _args = [];

    [GlobalSetup]
    public void Setup()
    {
        _builtinSet = [.. s_builtinAllowlist];
        _args = [.. s_args];
    }

    /// <summary>What the built-in driver did: every element starting with "-" must be in a set; values are not read.</summary>
    [Benchmark(Baseline = true, Description = "flag-only scan (built-in driver / previous guard)")]
    public bool FlagOnlyScan()
    {
        foreach (var arg in _args)
        {
            var flag = arg.Trim();
            if (flag.StartsWith("--", StringComparison.Ordinal))
            {
                flag = flag[1..];
            }
            if (flag.StartsWith('-') && !_builtinSet.Contains(flag))
            {
                return false;
            }
        }
        return true;
    }

    [Benchmark(Description = "ArgsPolicy.Check, default policy (empty allowlist)")]
    public void PolicyDefault() => ArgsPolicy.Check(_args, ArgsAllowlist.Empty, []);

    [Benchmark(Description = "ArgsPolicy.Check, value-level allowlist (15 entries)")]
    public void PolicyValueAllowlist() => ArgsPolicy.Check(_args, s_valueAllowlist, []);
}
