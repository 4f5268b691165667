using NomadQemu.Core.Config;
using NomadQemu.Core.Tests.Config;
using NomadQemu.Core.Validation.Args;

namespace NomadQemu.Core.Tests.Validation.Args;

/// <summary>Value-level <c>args_allowlist</c> entries: what each allows, what it still refuses, and malformed entries.</summary>
public sealed class ArgsAllowlistTests
{
    private static readonly AllocatedPort[] s_allocated = [new("10.0.0.5", 25000), new("", 26000)];

    private static string? Refusal(string[] allowlist, string[] args)
    {
        try
        {
            ArgsPolicy.Check(args, ArgsAllowlist.Parse(allowlist), s_allocated);
            return null;
        }
        catch (ConfigException e)
        {
            return e.Message;
        }
    }

    public static TheoryData<string[], string[]> Allowed =>
        new()
        {
            // Built-in style flag-only entries keep meaning "this option with its ordinary values".
            {
                new[] { "-cpu", "-smp", "-device" },
                new[] { "-cpu", "host", "-smp", "2", "-device", "virtio-rng-pci" }
            },
            { new[] { "-smp" }, new[] { "--smp", "4" } },
            { new[] { "--smp" }, new[] { "-smp", "4" } },
            // Value globs.
            { new[] { "-cpu=host" }, new[] { "-cpu", "host" } },
            { new[] { "-cpu=Skylake-*" }, new[] { "-cpu", "Skylake-Client,+vmx" } },
            { new[] { "-device=virtio-*" }, new[] { "-device", "virtio-net-pci,romfile=" } },
            { new[] { "-device=virtio-*" }, new[] { "-device", "{\"driver\": \"virtio-rng-pci\"}" } },
            // Host-reaching parts, named exactly.
            { new[] { "-device=loader,file" }, new[] { "-device", "loader,file=/srv/fw.bin,addr=0x1000" } },
            { new[] { "-device=virtio-net-pci,romfile" }, new[] { "-device", "virtio-net-pci,romfile=/srv/rom" } },
            { new[] { "-chardev=socket,path" }, new[] { "-chardev", "socket,id=c1,path=/run/x.sock" } },
            { new[] { "-serial=file" }, new[] { "-serial", "file:/var/log/vm.log" } },
            { new[] { "-kernel" }, new[] { "-kernel", "/srv/vmlinuz" } },
            { new[] { "-kernel=/srv/*" }, new[] { "-kernel", "/srv/vmlinuz" } },
            { new[] { "-fw_cfg=*,file" }, new[] { "-fw_cfg", "name=opt/x,file=/srv/blob" } },
            // "*" keeps the defaults and adds to them.
            { new[] { "*", "-kernel" }, new[] { "-vga", "std", "-kernel", "/srv/vmlinuz" } },
            // hostfwd, when allowed, binds only what Nomad allocated.
            { new[] { "-netdev=user,hostfwd" }, new[] { "-netdev", "user,id=n1,hostfwd=tcp:10.0.0.5:25000-:22" } },
            { new[] { "-nic=user,hostfwd" }, new[] { "-nic", "user,hostfwd=udp::26000-:53" } },
        };

    [Theory]
    [MemberData(nameof(Allowed))]
    public void Allowlist_AllowsWhatItNames(string[] allowlist, string[] args)
    {
        Assert.Null(Refusal(allowlist, args));
    }

    public static TheoryData<string[], string[], string> Refused =>
        new()
        {
            {
                new[] { "-smp" },
                new[] { "-vga", "std" },
                "args[0] \"-vga\" \"std\": -vga is not in the plugin's args_allowlist; allowed: -smp (rule: args_allowlist)"
            },
            {
                new[] { "-cpu=host" },
                new[] { "-cpu", "max" },
                "args[0] \"-cpu\" \"max\": the value matches no args_allowlist entry for -cpu (\"-cpu=host\") (rule: args_allowlist)"
            },
            {
                new[] { "-device=virtio-*" },
                new[] { "-device", "e1000" },
                "args[0] \"-device\" \"e1000\": the value matches no args_allowlist entry for -device (\"-device=virtio-*\") (rule: args_allowlist)"
            },
            // A wildcard never opens a host-reaching type: it must be named.
            {
                new[] { "-device=*" },
                new[] { "-device", "usb-host,vendorid=1" },
                "args[0] \"-device\" \"usb-host,vendorid=1\": type \"usb-host\" passes a host USB device through; no args_allowlist entry for -device names it (\"-device=*\"); an entry such as \"-device=usb-host\" would (rule: args_allowlist)"
            },
            {
                new[] { "-device=virtio-*" },
                new[] { "-device", "vhost-user-fs-pci,chardev=c1" },
                "args[0] \"-device\" \"vhost-user-fs-pci,chardev=c1\": type \"vhost-user-fs-pci\" talks to a host vhost backend or device; no args_allowlist entry for -device names it (\"-device=virtio-*\"); an entry such as \"-device=vhost-user-fs-pci\" would (rule: args_allowlist)"
            },
            // Naming the type does not name its properties.
            {
                new[] { "-device=loader" },
                new[] { "-device", "loader,file=/etc/shadow" },
                "args[0] \"-device\" \"loader,file=/etc/shadow\": type \"loader\" loads a host file into guest memory; property file= opens a host file; no args_allowlist entry for -device names it (\"-device=loader\"); an entry such as \"-device=loader,file\" would (rule: args_allowlist)"
            },
            {
                new[] { "-chardev=socket" },
                new[] { "-chardev", "socket,id=c1,path=/run/docker.sock" },
                "args[0] \"-chardev\" \"socket,id=c1,path=/run/docker.sock\": type \"socket\" opens a host file, pipe, socket, terminal or device; property path= opens a host path; no args_allowlist entry for -chardev names it (\"-chardev=socket\"); an entry such as \"-chardev=socket,path\" would (rule: args_allowlist)"
            },
            {
                new[] { "-kernel=/srv/*" },
                new[] { "-kernel", "/etc/shadow" },
                "args[0] \"-kernel\" \"/etc/shadow\": reads a host file; no args_allowlist entry for -kernel names it (\"-kernel=/srv/*\"); an entry such as \"-kernel\" would (rule: args_allowlist)"
            },
            // "*" alone adds nothing host-reaching.
            {
                new[] { "*" },
                new[] { "-kernel", "/srv/vmlinuz" },
                "args[0] \"-kernel\" \"/srv/vmlinuz\": reads a host file; allowed only when the plugin's args_allowlist names it, e.g. \"-kernel\" (rule: host-reaching, refused by default)"
            },
            // Driver-owned options stay refused whatever the list says.
            {
                new[] { "-monitor", "-qmp", "-S" },
                new[] { "-monitor", "stdio" },
                "args[0] \"-monitor\" \"stdio\": -monitor is never allowed: a monitor can stop, migrate or dump the VM: control is the driver's (rule: driver-owned)"
            },
            {
                new[] { "-netdev=user,hostfwd" },
                new[] { "-netdev", "user,id=n1,hostfwd=tcp:10.0.0.5:22-:22" },
                "args[0] \"-netdev\" \"user,id=n1,hostfwd=tcp:10.0.0.5:22-:22\": hostfwd=tcp:10.0.0.5:22-:22 binds 10.0.0.5:22, which Nomad did not allocate to this task; allocated: 10.0.0.5:25000, :26000 (rule: hostfwd outside the task's allocated ports)"
            },
            {
                new[] { "-netdev=user,hostfwd" },
                new[] { "-netdev", "user,id=n1,hostfwd=tcp::25000-:22" },
                "args[0] \"-netdev\" \"user,id=n1,hostfwd=tcp::25000-:22\": hostfwd=tcp::25000-:22 binds *:25000, which Nomad did not allocate to this task; allocated: 10.0.0.5:25000, :26000 (rule: hostfwd outside the task's allocated ports)"
            },
        };

    [Theory]
    [MemberData(nameof(Refused))]
    public void Allowlist_RefusesWhatItDoesNotName(string[] allowlist, string[] args, string expected)
    {
        Assert.Equal("config key \"args\": " + expected, Refusal(allowlist, args));
    }

    [Theory]
    [InlineData(
        "-cpux",
        "config key \"args_allowlist\": entry \"-cpux\" does not name a QEMU option; write \"-option\", \"-option=VALUE-GLOB\", \"-option=TYPE,PROPERTY\" or \"*\""
    )]
    [InlineData(
        "cpu",
        "config key \"args_allowlist\": entry \"cpu\" does not name a QEMU option; write \"-option\", \"-option=VALUE-GLOB\", \"-option=TYPE,PROPERTY\" or \"*\""
    )]
    [InlineData(
        "-nographic=on",
        "config key \"args_allowlist\": entry \"-nographic=on\": -nographic takes no value, so a value pattern cannot match"
    )]
    public void MalformedEntry_RefusedAtPluginConfig(string entry, string expected)
    {
        var bytes = ConfigTestData.Encode(new Dictionary<string, object?> { ["args_allowlist"] = new[] { entry } });

        var ex = Assert.Throws<ConfigException>(() => PluginConfig.Decode(bytes));

        Assert.Equal(expected, ex.Message);
        Assert.Equal("args_allowlist", ex.Key);
    }
}
