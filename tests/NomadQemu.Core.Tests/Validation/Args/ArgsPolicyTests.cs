using NomadQemu.Core.Config;
using NomadQemu.Core.Validation.Args;

namespace NomadQemu.Core.Tests.Validation.Args;

/// <summary>The args policy as a table: each hostile input with the exact refusal, each ordinary one accepted.</summary>
public sealed class ArgsPolicyTests
{
    private static readonly string[] s_readmeAllowlist = ["-cpu", "-smp", "-device"];
    private static readonly AllocatedPort[] s_allocated = [new("10.0.0.5", 25000)];

    private static string? Refusal(string[] allowlist, string[] args)
    {
        try
        {
            ArgsPolicy.Check(args, ArgsAllowlist.Parse(allowlist), s_allocated);
            return null;
        }
        catch (ConfigException e)
        {
            Assert.Equal("args", e.Key);
            return e.Message;
        }
    }

    // Jobs written for the built-in driver with ordinary args keep working under the default (empty) allowlist.
    public static TheoryData<string[]> Ordinary =>
        new()
        {
            new[] { "-cpu", "host" },
            new[] { "-cpu", "Skylake-Client,+vmx,-hle" },
            new[] { "-smp", "4" },
            new[] { "--smp", "cores=2,threads=2" },
            new[] { "-device", "virtio-rng-pci" },
            new[] { "-netdev", "user,id=n1", "-device", "virtio-net-pci,netdev=n1,romfile=" },
            new[] { "-device", "{\"driver\":\"virtio-balloon-pci\",\"id\":\"b0\"}" },
            new[] { "-vga", "std" },
            new[] { "-usb", "-device", "usb-tablet" },
            new[] { "-usbdevice", "tablet" },
            new[] { "-rtc", "base=utc,clock=host" },
            new[] { "-boot", "order=dc,menu=on" },
            new[] { "-nographic" },
            new[] { "-display", "none" },
            new[] { "-global", "kvm-pit.lost_tick_policy=discard" },
            new[] { "-machine", "q35,smm=off" },
            new[] { "-object", "memory-backend-ram,id=m0,size=256M", "-numa", "node,memdev=m0" },
            new[] { "-chardev", "ringbuf,id=c0", "-serial", "chardev:c0" },
            new[] { "-serial", "none", "-parallel", "null" },
            new[] { "-fw_cfg", "name=opt/com.example/x,string=y" },
            new[] { "-smbios", "type=1,manufacturer=ACME" },
            new[] { "-append", "-console ttyS0" }, // a value starting with a dash is still the value
            new[] { "-nodefaults", "-no-reboot", "-name", "vm1", "-snapshot" },
            new[] { "-device", "e1000,netdev=n2", "-netdev", "user,id=n2,restrict=on" },
            Array.Empty<string>(),
        };

    [Theory]
    [MemberData(nameof(Ordinary))]
    public void DefaultPolicy_OrdinaryArgs_Accepted(string[] args)
    {
        Assert.Null(Refusal([], args));
    }

    public static TheoryData<string[], string[], string> Refused =>
        new()
        {
            // The bare-word bypass from the issue, under the README's own example allowlist.
            {
                s_readmeAllowlist,
                ["/host/file"],
                "args[0] \"/host/file\": is not an option: QEMU would open a word in option position as the first hard disk (rule: grammar)"
            },
            {
                [],
                ["-smp", "2", "/host/file"],
                "args[2] \"/host/file\": is not an option: QEMU would open a word in option position as the first hard disk (rule: grammar)"
            },
            {
                [],
                [" -smp", "2"],
                "args[0] \" -smp\": is not an option: QEMU would open a word in option position as the first hard disk (it has surrounding whitespace, so QEMU does not read it as an option) (rule: grammar)"
            },
            { [], ["-cpu"], "args[0] \"-cpu\": -cpu needs a value and args ends here (rule: grammar)" },
            {
                [],
                ["-smp=2"],
                "args[0] \"-smp=2\": QEMU does not accept -smp=value; write the option and its value as two elements (rule: grammar)"
            },
            { [], ["-SMP", "2"], "args[0] \"-SMP\": is not a QEMU option (QEMU 7.2 grammar) (rule: grammar)" },
            { [], ["--", "x"], "args[0] \"--\": is not a QEMU option (QEMU 7.2 grammar) (rule: grammar)" },
            // -incoming exec: ran a command as root with the empty default allowlist.
            {
                [],
                ["-incoming", "exec:touch /tmp/pwned"],
                "args[0] \"-incoming\" \"exec:touch /tmp/pwned\": -incoming is never allowed: the VM would wait for a migration the driver never sends (exec:/tcp:/unix: reach the host) (rule: driver-owned)"
            },
            {
                ["-incoming"],
                ["--incoming", "defer"],
                "args[0] \"--incoming\" \"defer\": -incoming is never allowed: the VM would wait for a migration the driver never sends (exec:/tcp:/unix: reach the host) (rule: driver-owned)"
            },
            {
                [],
                ["-incoming=exec:sh"],
                "args[0] \"-incoming=exec:sh\": -incoming is never allowed: the VM would wait for a migration the driver never sends (exec:/tcp:/unix: reach the host) (rule: driver-owned)"
            },
            {
                ["-daemonize"],
                ["--daemonize"],
                "args[0] \"--daemonize\": -daemonize is never allowed: QEMU would fork away from the driver's supervision (rule: driver-owned)"
            },
            {
                [],
                ["-qmp", "unix:/tmp/q.sock,server=on,wait=off"],
                "args[0] \"-qmp\" \"unix:/tmp/q.sock,server=on,wait=off\": -qmp is never allowed: a monitor can stop, migrate or dump the VM: control is the driver's (rule: driver-owned)"
            },
            {
                [],
                ["-m", "64G"],
                "args[0] \"-m\" \"64G\": -m is never allowed: memory comes from the task's resources.memory (what Nomad schedules and limits) (rule: driver-owned)"
            },
            {
                [],
                ["-set", "drive.image0.file=/etc/shadow"],
                "args[0] \"-set\" \"drive.image0.file=/etc/shadow\": -set is never allowed: rewrites any option by id, the driver's own drive and sockets included (rule: driver-owned)"
            },
            {
                [],
                ["-add-fd", "fd=3,set=1"],
                "args[0] \"-add-fd\" \"fd=3,set=1\": -add-fd is never allowed: file descriptors are the driver's (rule: driver-owned)"
            },
            {
                [],
                ["-serial", "mon:stdio"],
                "args[0] \"-serial\" \"mon:stdio\": -serial type \"mon\" is never allowed: a monitor: control of the VM is the driver's (rule: driver-owned)"
            },
            {
                [],
                ["-machine", "accel=kvm"],
                "args[0] \"-machine\" \"accel=kvm\": property accel= is never allowed: the accelerator comes from the task's accelerator key (rule: driver-owned)"
            },
            // -device loader,file= put a host file into guest RAM with "-device" allowed.
            {
                s_readmeAllowlist,
                ["-device", "loader,file=/host/file"],
                "args[0] \"-device\" \"loader,file=/host/file\": type \"loader\" loads a host file into guest memory; property file= opens a host file; no args_allowlist entry for -device names it (\"-device\"); an entry such as \"-device=loader,file\" would (rule: args_allowlist)"
            },
            {
                [],
                ["-device", "loader,file=/host/file"],
                "args[0] \"-device\" \"loader,file=/host/file\": type \"loader\" loads a host file into guest memory; property file= opens a host file; allowed only when the plugin's args_allowlist names it, e.g. \"-device=loader,file\" (rule: host-reaching, refused by default)"
            },
            {
                [],
                ["-device", "{\"driver\": \"loader\", \"file\": \"/host/file\"}"],
                "args[0] \"-device\" \"{\"driver\": \"loader\", \"file\": \"/host/file\"}\": type \"loader\" loads a host file into guest memory; property file= opens a host file; allowed only when the plugin's args_allowlist names it, e.g. \"-device=loader,file\" (rule: host-reaching, refused by default)"
            },
            {
                ["-device"],
                ["-device", "virtio-net-pci,romfile=/etc/shadow"],
                "args[0] \"-device\" \"virtio-net-pci,romfile=/etc/shadow\": property romfile= loads a host file as the option ROM; no args_allowlist entry for -device names it (\"-device\"); an entry such as \"-device=virtio-net-pci,romfile\" would (rule: args_allowlist)"
            },
            {
                [],
                ["-device", "usb-host,hostbus=1,hostaddr=2"],
                "args[0] \"-device\" \"usb-host,hostbus=1,hostaddr=2\": type \"usb-host\" passes a host USB device through; property hostbus= passes a host USB device through; property hostaddr= passes a host USB device through; allowed only when the plugin's args_allowlist names it, e.g. \"-device=usb-host,hostbus,hostaddr\" (rule: host-reaching, refused by default)"
            },
            {
                [],
                ["-device", "vhost-vsock-pci,guest-cid=3"],
                "args[0] \"-device\" \"vhost-vsock-pci,guest-cid=3\": type \"vhost-vsock-pci\" talks to a host vhost backend or device; property guest-cid= opens a vsock channel to host processes; allowed only when the plugin's args_allowlist names it, e.g. \"-device=vhost-vsock-pci,guest-cid\" (rule: host-reaching, refused by default)"
            },
            {
                [],
                ["-device", "virtio-blk-pci,drive=image0"],
                "args[0] \"-device\" \"virtio-blk-pci,drive=image0\": drive=image0 collides with an id the driver uses for its own devices and sockets (rule: driver id)"
            },
            {
                [],
                ["-device", "virtserialport,chardev=c1,name=org.qemu.guest_agent.0"],
                "args[0] \"-device\" \"virtserialport,chardev=c1,name=org.qemu.guest_agent.0\": name=org.qemu.guest_agent.0 collides with an id the driver uses for its own devices and sockets (rule: driver id)"
            },
            {
                [],
                ["-global", "driver=virtio-net-pci,property=romfile,value=/etc/shadow"],
                "args[0] \"-global\" \"driver=virtio-net-pci,property=romfile,value=/etc/shadow\": property romfile= loads a host file as the option ROM; allowed only when the plugin's args_allowlist names it, e.g. \"-global=virtio-net-pci,romfile\" (rule: host-reaching, refused by default)"
            },
            {
                // QEMU tries the keymap name as a path first: a link named "de" in the task dir would be read.
                [],
                ["-k", "de"],
                "args[0] \"-k\" \"de\": QEMU opens the value as a file path before looking in its keymap dir; allowed only when the plugin's args_allowlist names it, e.g. \"-k\" (rule: host-reaching, refused by default)"
            },
            {
                [],
                ["-readconfig", "/etc/qemu/evil.cfg"],
                "args[0] \"-readconfig\" \"/etc/qemu/evil.cfg\": reads a host file; allowed only when the plugin's args_allowlist names it, e.g. \"-readconfig\" (rule: host-reaching, refused by default)"
            },
            {
                [],
                ["-fw_cfg", "name=opt/x,file=/etc/shadow"],
                "args[0] \"-fw_cfg\" \"name=opt/x,file=/etc/shadow\": property file= opens a host file; allowed only when the plugin's args_allowlist names it, e.g. \"-fw_cfg=opt/x,file\" (rule: host-reaching, refused by default)"
            },
            {
                [],
                ["-chardev", "socket,id=c1,path=/run/docker.sock"],
                "args[0] \"-chardev\" \"socket,id=c1,path=/run/docker.sock\": type \"socket\" opens a host file, pipe, socket, terminal or device; property path= opens a host path; allowed only when the plugin's args_allowlist names it, e.g. \"-chardev=socket,path\" (rule: host-reaching, refused by default)"
            },
            {
                [],
                ["-chardev", "null,id=c1,logfile=/etc/cron.d/x"],
                "args[0] \"-chardev\" \"null,id=c1,logfile=/etc/cron.d/x\": property logfile= writes a host file; allowed only when the plugin's args_allowlist names it, e.g. \"-chardev=null,logfile\" (rule: host-reaching, refused by default)"
            },
            {
                [],
                ["-serial", "file:/etc/cron.d/x"],
                "args[0] \"-serial\" \"file:/etc/cron.d/x\": type \"file\" opens a host file, pipe, socket, terminal or device; allowed only when the plugin's args_allowlist names it, e.g. \"-serial=file\" (rule: host-reaching, refused by default)"
            },
            {
                [],
                ["-object", "memory-backend-file,id=m0,size=1G,mem-path=/dev/shm/x"],
                "args[0] \"-object\" \"memory-backend-file,id=m0,size=1G,mem-path=/dev/shm/x\": type \"memory-backend-file\" object types outside the safe list may open host files, devices or sockets; property mem-path= maps a host file as guest memory; allowed only when the plugin's args_allowlist names it, e.g. \"-object=memory-backend-file,mem-path\" (rule: host-reaching, refused by default)"
            },
            {
                [],
                ["-object", "secret,id=s0,file=/etc/shadow"],
                "args[0] \"-object\" \"secret,id=s0,file=/etc/shadow\": property file= opens a host file; allowed only when the plugin's args_allowlist names it, e.g. \"-object=secret,file\" (rule: host-reaching, refused by default)"
            },
            {
                [],
                ["-netdev", "user,id=n1,smb=/home"],
                "args[0] \"-netdev\" \"user,id=n1,smb=/home\": property smb= exports a host directory over SMB (runs smbd); allowed only when the plugin's args_allowlist names it, e.g. \"-netdev=user,smb\" (rule: host-reaching, refused by default)"
            },
            {
                [],
                ["-netdev", "user,id=n1,hostfwd=tcp::2222-:22"],
                "args[0] \"-netdev\" \"user,id=n1,hostfwd=tcp::2222-:22\": property hostfwd= binds a host address and port; allowed only when the plugin's args_allowlist names it, e.g. \"-netdev=user,hostfwd\" (rule: host-reaching, refused by default)"
            },
            {
                ["-netdev=user,hostfwd"],
                ["-netdev", "user,id=n1,hostfwd=tcp::2222-:22"],
                "args[0] \"-netdev\" \"user,id=n1,hostfwd=tcp::2222-:22\": hostfwd=tcp::2222-:22 binds *:2222, which Nomad did not allocate to this task; allocated: 10.0.0.5:25000 (rule: hostfwd outside the task's allocated ports)"
            },
            {
                [],
                ["-netdev", "tap,id=n1,script=/tmp/x"],
                "args[0] \"-netdev\" \"tap,id=n1,script=/tmp/x\": type \"tap\" uses a host network device, socket or helper; property script= runs a host program; allowed only when the plugin's args_allowlist names it, e.g. \"-netdev=tap,script\" (rule: host-reaching, refused by default)"
            },
            {
                [],
                ["-nic", "user,guestfwd=tcp:10.0.2.100:1-cmd:sh"],
                "args[0] \"-nic\" \"user,guestfwd=tcp:10.0.2.100:1-cmd:sh\": property guestfwd= connects guest traffic to a host process or socket; allowed only when the plugin's args_allowlist names it, e.g. \"-nic=user,guestfwd\" (rule: host-reaching, refused by default)"
            },
            {
                [],
                ["-machine", "pc,dumpdtb=/etc/x"],
                "args[0] \"-machine\" \"pc,dumpdtb=/etc/x\": property dumpdtb= writes a host file; allowed only when the plugin's args_allowlist names it, e.g. \"-machine=pc,dumpdtb\" (rule: host-reaching, refused by default)"
            },
            {
                [],
                ["-boot", "splash=/etc/shadow"],
                "args[0] \"-boot\" \"splash=/etc/shadow\": property splash= loads a host image file into the guest; allowed only when the plugin's args_allowlist names it, e.g. \"-boot=*,splash\" (rule: host-reaching, refused by default)"
            },
            {
                [],
                ["-display", "vnc=0.0.0.0:0"],
                "args[0] \"-display\" \"vnc=0.0.0.0:0\": type \"vnc\" opens a host display, socket, render device or D-Bus; allowed only when the plugin's args_allowlist names it, e.g. \"-display=vnc\" (rule: host-reaching, refused by default)"
            },
            {
                [],
                ["-device", "{\"driver\": \"loader\""],
                "args[0] \"-device\" \"{\"driver\": \"loader\"\": the value is not valid JSON (at byte 19 of line 0) (rule: grammar)"
            },
        };

    [Theory]
    [MemberData(nameof(Refused))]
    public void HostileArgs_RefusedWithExactMessage(string[] allowlist, string[] args, string expected)
    {
        Assert.Equal("config key \"args\": " + expected, Refusal(allowlist, args));
    }
}
