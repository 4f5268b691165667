using NomadQemu.Core.WarmStart;

namespace NomadQemu.Core.Tests.WarmStart;

public sealed class TemplateKeyTests
{
    private static string Key(params (string Name, string Value)[] parts)
    {
        var key = new TemplateKey();
        foreach (var (name, value) in parts)
        {
            key.Add(name, value);
        }
        return key.Compute();
    }

    [Fact]
    public void SameInputs_SameKey_AndTheKeyLooksLikeOne()
    {
        var a = Key(("memory", "256"), ("machine", "pc-q35-7.2"));
        var b = Key(("memory", "256"), ("machine", "pc-q35-7.2"));

        Assert.Equal(a, b);
        Assert.True(TemplateKey.IsKey(a));
        Assert.False(TemplateKey.IsKey("../" + a[3..]));
        Assert.False(TemplateKey.IsKey(a.ToUpperInvariant()));
    }

    [Fact]
    public void AnyValueChange_NewKey()
    {
        var baseline = Key(("memory", "256"), ("machine", "pc-q35-7.2"));

        Assert.NotEqual(baseline, Key(("memory", "512"), ("machine", "pc-q35-7.2")));
        Assert.NotEqual(baseline, Key(("memory", "256"), ("machine", "pc-q35-8.0")));
        Assert.NotEqual(baseline, Key(("machine", "pc-q35-7.2"), ("memory", "256")));
    }

    [Fact]
    public void LengthPrefixes_KeepBoundariesApart()
    {
        Assert.NotEqual(Key(("a", "bc")), Key(("ab", "c")));
        Assert.NotEqual(Key(("x", "1"), ("y", "")), Key(("x", "1y"), ("", "")));
    }

    [Fact]
    public void Ranges_CountTheirItems()
    {
        var one = new TemplateKey().AddRange("args", ["-a b"]).Compute();
        var two = new TemplateKey().AddRange("args", ["-a", "b"]).Compute();

        Assert.NotEqual(one, two);
    }

    [Fact]
    public void Shape_DropsWhatDiffersPerTask_KeepsDevices()
    {
        string[] argv =
        [
            "-machine",
            "type=q35,accel=tcg",
            "-name",
            "web-7",
            "-add-fd",
            "fd=5,set=2",
            "-drive",
            "file=json:{\"filename\":\"/dev/fdset/2\"},if=virtio,id=image0",
            "-kernel",
            "/proc/self/fd/9",
            "-netdev",
            "user,id=user.0,hostfwd=tcp:127.0.0.1:23456-:80,hostfwd=udp:127.0.0.1:23456-:80",
            "-device",
            "virtio-net-pci,netdev=user.0",
        ];
        string[] other =
        [
            "-machine",
            "type=q35,accel=tcg",
            "-name",
            "api-1",
            "-add-fd",
            "fd=7,set=3",
            "-drive",
            "file=json:{\"filename\":\"/dev/fdset/3\"},if=virtio,id=image0",
            "-kernel",
            "/proc/self/fd/12",
            "-netdev",
            "user,id=user.0,hostfwd=tcp:127.0.0.1:31000-:80,hostfwd=udp:127.0.0.1:31000-:80",
            "-device",
            "virtio-net-pci,netdev=user.0",
        ];

        var shape = TemplateKey.Shape(argv);

        Assert.Equal(shape, TemplateKey.Shape(other));
        Assert.DoesNotContain("web-7", shape);
        Assert.Contains("fd=#,set=#", shape);
        Assert.Contains("user,id=user.0", shape);
        Assert.Contains("virtio-net-pci,netdev=user.0", shape);
        Assert.NotEqual(shape, TemplateKey.Shape([.. argv[..^1], "e1000,netdev=user.0"]));
    }

    [Fact]
    public void MachineAliases_FromQemuHelp_ResolveToTheVersionedType()
    {
        const string help = """
            Supported machines are:
            microvm              microvm (i386)
            pc                   Standard PC (i440FX + PIIX, 1996) (alias of pc-i440fx-7.2)
            pc-i440fx-7.2        Standard PC (i440FX + PIIX, 1996) (default)
            q35                  Standard PC (Q35 + ICH9, 2009) (alias of pc-q35-7.2)
            pc-q35-7.2           Standard PC (Q35 + ICH9, 2009)
            """;

        var aliases = MachineTypeAliases.Parse(help);

        Assert.Equal("pc-q35-7.2", MachineTypeAliases.Resolve(aliases, "q35"));
        Assert.Equal("pc-i440fx-7.2", MachineTypeAliases.Resolve(aliases, "pc"));
        Assert.Equal("pc-q35-7.1", MachineTypeAliases.Resolve(aliases, "pc-q35-7.1"));
        Assert.Equal(2, aliases.Count);
    }

    [Theory]
    [InlineData("5s", 5000)]
    [InlineData("1m30s", 90_000)]
    [InlineData("250ms", 250)]
    [InlineData("1.5h", 5_400_000)]
    public void GoDurations_Parse(string text, double ms)
    {
        Assert.True(GoDuration.TryParse(text, out var value));
        Assert.Equal(TimeSpan.FromMilliseconds(ms), value);
    }

    [Theory]
    [InlineData("")]
    [InlineData("5")]
    [InlineData("0s")]
    [InlineData("5 s")]
    [InlineData("25h")]
    public void GoDurations_Refused(string text)
    {
        Assert.False(GoDuration.TryParse(text, out _));
    }
}
