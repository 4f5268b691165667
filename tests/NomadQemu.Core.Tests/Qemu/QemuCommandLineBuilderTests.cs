using NomadQemu.Core.Config;
using NomadQemu.Core.Qemu;

namespace NomadQemu.Core.Tests.Qemu;

public sealed class QemuCommandLineBuilderTests
{
    private const string Qmp = "/a/web/qmp.sock";
    private const string Qga = "/a/web/qa.sock";

    private static readonly QemuLaunchSpec s_base = new()
    {
        Config = new TaskConfig { ImagePath = "local/disk.img" },
        EmulatorPath = "/usr/bin/qemu-system-x86_64",
        Accelerator = "tcg",
        TaskName = "web",
        MemoryMb = 512,
        Vcpus = 1,
        Drive = new DriveSpec(new DiskLayer("raw", 1)),
        QmpSocketPath = Qmp,
    };

    // The drive is a json: chain over fd sets (commas doubled for -drive); QEMU never sees a path.
    private const string Raw1 = """json:{"driver":"raw",,"file":{"driver":"file",,"filename":"/dev/fdset/1"}}""";
    private const string Overlay2Over1 =
        """json:{"driver":"qcow2",,"file":{"driver":"file",,"filename":"/dev/fdset/2"},,"backing":{"driver":"qcow2",,"file":{"driver":"file",,"filename":"/dev/fdset/1"},,"backing":null}}""";

    // Everything before the user args, for the compat profile with the base spec.
    private static readonly string[] s_compatHead =
    [
        "-machine",
        "type=pc,accel=tcg",
        "-name",
        "web",
        "-m",
        "512M",
        "-drive",
        $"file={Raw1},if=ide,id=image0",
        "-display",
        "none",
        "-serial",
        "stdio",
        "-monitor",
        "none",
        "-qmp",
        $"unix:{Qmp},server=on,wait=off",
    ];

    private static readonly PortForward s_http = new("http", "", 25000, 80);

    // One row per feature of the built-in driver's command line (nomad drivers/qemu/driver.go StartTask), plus ours.
    private static readonly Dictionary<string, (QemuLaunchSpec Spec, string[] Expected)> s_cases = new()
    {
        ["1-3-4-5-6 defaults: machine pc/tcg, name, memory, ide drive, serial console, qmp"] = (
            s_base,
            [.. s_compatHead, "-smp", "1"]
        ),
        ["2 machine_type and pass-through accelerator"] = (
            s_base with
            {
                Config = s_base.Config with { MachineType = "pc-q35-8.2" },
                Accelerator = "hvf",
            },
            [.. s_compatHead.Select(a => a == "type=pc,accel=tcg" ? "type=pc-q35-8.2,accel=hvf" : a), "-smp", "1"]
        ),
        ["4 memory"] = (
            s_base with
            {
                MemoryMb = 4096,
            },
            [.. s_compatHead.Select(a => a == "512M" ? "4096M" : a), "-smp", "1"]
        ),
        ["5 drive_interface and qcow2 format"] = (
            s_base with
            {
                Config = s_base.Config with { DriveInterface = "virtio" },
                Drive = new DriveSpec(new DiskLayer("qcow2", 2, new DiskLayer("qcow2", 1))),
            },
            [
                .. s_compatHead.Select(a => a.StartsWith("file=") ? $"file={Overlay2Over1},if=virtio,id=image0" : a),
                "-smp",
                "1",
            ]
        ),
        ["7 graceful_shutdown off still gets QMP (the driver's control channel)"] = (
            s_base with
            {
                Config = s_base.Config with { GracefulShutdown = false },
            },
            [.. s_compatHead, "-smp", "1"]
        ),
        ["8 guest_agent"] = (
            s_base with
            {
                Config = s_base.Config with { GuestAgent = true },
                GuestAgentSocketPath = Qga,
            },
            [
                .. s_compatHead,
                "-chardev",
                $"socket,path={Qga},server=on,wait=off,id=qga0",
                "-device",
                "virtio-serial",
                "-device",
                "virtserialport,chardev=qga0,name=org.qemu.guest_agent.0",
                "-smp",
                "1",
            ]
        ),
        ["9 user args after our flags, before netdev"] = (
            s_base with
            {
                Config = s_base.Config with { Args = ["-usb", "-device", "usb-tablet"] },
                PortForwards = [s_http],
            },
            [
                .. s_compatHead,
                "-usb",
                "-device",
                "usb-tablet",
                "-netdev",
                "user,id=user.0,hostfwd=tcp::25000-:80,hostfwd=udp::25000-:80",
                "-device",
                "virtio-net,netdev=user.0",
                "-smp",
                "1",
            ]
        ),
        ["10 port forwards tcp and udp, host ip kept"] = (
            s_base with
            {
                PortForwards = [s_http, new PortForward("dns", "10.1.2.3", 25001, 53)],
            },
            [
                .. s_compatHead,
                "-netdev",
                "user,id=user.0,hostfwd=tcp::25000-:80,hostfwd=udp::25000-:80,hostfwd=tcp:10.1.2.3:25001-:53,hostfwd=udp:10.1.2.3:25001-:53",
                "-device",
                "virtio-net,netdev=user.0",
                "-smp",
                "1",
            ]
        ),
        ["10 dns server inside the user network and search domains"] = (
            s_base with
            {
                Dns = new DnsSettings(["10.0.2.4", "10.0.2.5"], ["corp.example", "example"]),
            },
            [
                .. s_compatHead,
                "-netdev",
                "user,id=user.0,dns=10.0.2.4,dnssearch=corp.example,dnssearch=example",
                "-device",
                "virtio-net,netdev=user.0",
                "-smp",
                "1",
            ]
        ),
        ["10 no ports and no dns: no netdev (QEMU's default NIC, like the built-in)"] = (
            s_base with
            {
                Dns = new DnsSettings([], []),
            },
            [.. s_compatHead, "-smp", "1"]
        ),
        ["11 kvm adds -enable-kvm, then -smp with vcpus"] = (
            s_base with
            {
                Accelerator = "kvm",
                Vcpus = 4,
            },
            [
                .. s_compatHead.Select(a => a == "type=pc,accel=tcg" ? "type=pc,accel=kvm" : a),
                "-enable-kvm",
                "-smp",
                "4",
            ]
        ),
        ["11 -smp in user args wins"] = (
            s_base with
            {
                Accelerator = "kvm",
                Vcpus = 4,
                Config = s_base.Config with { Args = ["-smp", "2,sockets=2"] },
            },
            [
                .. s_compatHead.Select(a => a == "type=pc,accel=tcg" ? "type=pc,accel=kvm" : a),
                "-smp",
                "2,sockets=2",
                "-enable-kvm",
            ]
        ),
        ["cpu_model before user args"] = (
            s_base with
            {
                Config = s_base.Config with { CpuModel = "host", Args = ["-cpu", "max"] },
            },
            [.. s_compatHead[..6], "-cpu", "host", .. s_compatHead[6..], "-cpu", "max", "-smp", "1"]
        ),
        ["iso becomes an ide cdrom"] = (
            s_base with
            {
                Drive = new DriveSpec(new DiskLayer("raw", 1), DriveMedia.Cdrom),
            },
            [
                .. s_compatHead.Select(a => a.StartsWith("file=") ? $"file={Raw1},if=ide,id=image0,media=cdrom" : a),
                "-smp",
                "1",
            ]
        ),
        ["commas in paths and names are escaped"] = (
            s_base with
            {
                TaskName = "a,b",
                Drive = new DriveSpec(new DiskLayer("raw", 1)),
                QmpSocketPath = "/s,t/q.sock",
            },
            [
                "-machine",
                "type=pc,accel=tcg",
                "-name",
                "a,,b",
                "-m",
                "512M",
                "-drive",
                $"file={Raw1},if=ide,id=image0",
                "-display",
                "none",
                "-serial",
                "stdio",
                "-monitor",
                "none",
                "-qmp",
                "unix:/s,,t/q.sock,server=on,wait=off",
                "-smp",
                "1",
            ]
        ),
        ["direct kernel boot"] = (
            s_base with
            {
                KernelPath = "/k/vmlinuz",
                InitrdPath = "/k/initrd",
                Config = s_base.Config with { KernelArgs = "console=ttyS0 root=/dev/vda,x" },
            },
            [
                .. s_compatHead[..8],
                "-kernel",
                "/k/vmlinuz",
                "-initrd",
                "/k/initrd",
                "-append",
                "console=ttyS0 root=/dev/vda,x",
                .. s_compatHead[8..],
                "-smp",
                "1",
            ]
        ),
        ["fast profile: q35, nodefaults, virtio disk and nic, serial only"] = (
            s_base with
            {
                Config = s_base.Config with { Profile = GuestProfile.Fast },
                Accelerator = "kvm",
                Vcpus = 2,
            },
            [
                "-machine",
                "type=q35,accel=kvm",
                "-nodefaults",
                "-no-user-config",
                "-name",
                "web",
                "-m",
                "512M",
                "-drive",
                $"file={Raw1},if=virtio,id=image0",
                "-display",
                "none",
                "-serial",
                "stdio",
                "-qmp",
                $"unix:{Qmp},server=on,wait=off",
                "-netdev",
                "user,id=user.0",
                "-device",
                "virtio-net-pci,netdev=user.0",
                "-enable-kvm",
                "-smp",
                "2",
            ]
        ),
        ["fast profile with ports, explicit machine and drive interface"] = (
            s_base with
            {
                Config = s_base.Config with
                {
                    Profile = GuestProfile.Fast,
                    MachineType = "microvm",
                    DriveInterface = "ide",
                },
                PortForwards = [s_http],
            },
            [
                "-machine",
                "type=microvm,accel=tcg",
                "-nodefaults",
                "-no-user-config",
                "-name",
                "web",
                "-m",
                "512M",
                "-drive",
                $"file={Raw1},if=ide,id=image0",
                "-display",
                "none",
                "-serial",
                "stdio",
                "-qmp",
                $"unix:{Qmp},server=on,wait=off",
                "-netdev",
                "user,id=user.0,hostfwd=tcp::25000-:80,hostfwd=udp::25000-:80",
                "-device",
                "virtio-net-pci,netdev=user.0",
                "-smp",
                "1",
            ]
        ),
        ["fast profile iso stays on ide"] = (
            s_base with
            {
                Config = s_base.Config with { Profile = GuestProfile.Fast },
                Drive = new DriveSpec(new DiskLayer("raw", 1), DriveMedia.Cdrom),
            },
            [
                "-machine",
                "type=q35,accel=tcg",
                "-nodefaults",
                "-no-user-config",
                "-name",
                "web",
                "-m",
                "512M",
                "-drive",
                $"file={Raw1},if=ide,id=image0,media=cdrom",
                "-display",
                "none",
                "-serial",
                "stdio",
                "-qmp",
                $"unix:{Qmp},server=on,wait=off",
                "-netdev",
                "user,id=user.0",
                "-device",
                "virtio-net-pci,netdev=user.0",
                "-smp",
                "1",
            ]
        ),
        ["ipv6 host ip is bracketed"] = (
            s_base with
            {
                PortForwards = [new PortForward("http", "::1", 8080, 80)],
            },
            [
                .. s_compatHead,
                "-netdev",
                "user,id=user.0,hostfwd=tcp:[::1]:8080-:80,hostfwd=udp:[::1]:8080-:80",
                "-device",
                "virtio-net,netdev=user.0",
                "-smp",
                "1",
            ]
        ),
    };

    public static TheoryData<string> CaseNames => [.. s_cases.Keys];

    [Fact]
    public void Build_FdSetsComeBeforeTheDrive_AndADataFileIsStatedExplicitly()
    {
        var spec = s_base with
        {
            Drive = new DriveSpec(new DiskLayer("qcow2", 1, DataFileFdSet: 2)),
            FdSets = [new FdSetMember(3, 1), new FdSetMember(4, 1), new FdSetMember(5, 2)],
            KernelPath = "/proc/self/fd/6",
        };

        var line = QemuCommandLineBuilder.Build(spec);

        Assert.Equal(
            [
                "-add-fd",
                "fd=3,set=1",
                "-add-fd",
                "fd=4,set=1",
                "-add-fd",
                "fd=5,set=2",
                "-drive",
                """file=json:{"driver":"qcow2",,"file":{"driver":"file",,"filename":"/dev/fdset/1"},,"backing":null,,"data-file":{"driver":"file",,"filename":"/dev/fdset/2"}},if=ide,id=image0""",
                "-kernel",
                "/proc/self/fd/6",
            ],
            line.Arguments.Skip(6).Take(10)
        );
    }

    [Theory]
    [MemberData(nameof(CaseNames))]
    public void Build_Case_ProducesExactArguments(string caseName)
    {
        (var spec, var expected) = s_cases[caseName];

        var line = QemuCommandLineBuilder.Build(spec);

        Assert.Equal("/usr/bin/qemu-system-x86_64", line.Executable);
        Assert.Equal(expected, line.Arguments);
    }

    [Fact]
    public void Build_DnsServerOutsideUserNetwork_IsDroppedWithWarning()
    {
        var spec = s_base with { Dns = new DnsSettings(["8.8.8.8"], ["example"]) };

        var line = QemuCommandLineBuilder.Build(spec);

        Assert.Equal(
            [
                .. s_compatHead,
                "-netdev",
                "user,id=user.0,dnssearch=example",
                "-device",
                "virtio-net,netdev=user.0",
                "-smp",
                "1",
            ],
            line.Arguments
        );
        Assert.Contains("8.8.8.8", Assert.Single(line.Warnings));
    }

    [Fact]
    public void Build_GuestAgentWithoutSocket_Throws()
    {
        var spec = s_base with { Config = s_base.Config with { GuestAgent = true } };

        Assert.Throws<ArgumentException>(() => QemuCommandLineBuilder.Build(spec));
    }

    [Fact]
    public void Build_SameSpecTwice_GivesEqualLists()
    {
        Assert.Equal(QemuCommandLineBuilder.Build(s_base).Arguments, QemuCommandLineBuilder.Build(s_base).Arguments);
    }
}
