using System.Diagnostics;
using System.Text;
using NomadQemu.TestKit;

namespace NomadQemu.CloudInit.Tests.Support;

/// <summary>
/// Mounts a seed image through a real Linux kernel: the test guest's Debian cloud kernel under QEMU (TCG), with
/// the isofs, cdrom and sr_mod modules from the same kernel package laid over its initramfs. The host kernel of
/// the project's machines has neither iso9660 nor vfat built in (and no modules to load), so "the kernel reads
/// it" is proven by the kernel that will read it in production: a guest's.
/// </summary>
internal static class GuestKernelProbe
{
    private static readonly string[] s_modules = ["isofs.ko", "cdrom.ko", "sr_mod.ko"];

    /// <summary>The guest's "SEED-TEST ..." console lines, without the prefix.</summary>
    public static async Task<IReadOnlyList<string>> MountAsync(string imagePath)
    {
        var guest = TestEnvironment.GuestDir;
        using var work = new ShortTempDir();
        var initrd = await BuildInitrdAsync(guest, work.Path);

        var startInfo = new ProcessStartInfo("qemu-system-x86_64")
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
        };
        foreach (
            var argument in new[]
            {
                "-machine",
                "pc",
                "-accel",
                "tcg",
                "-m",
                "256",
                "-nodefaults",
                "-no-user-config",
                "-no-reboot",
                "-display",
                "none",
                "-monitor",
                "none",
                "-serial",
                "stdio",
                "-kernel",
                Path.Combine(guest, "vmlinuz"),
                "-initrd",
                initrd,
                "-append",
                "console=ttyS0 quiet",
                "-drive",
                $"file={imagePath},format=raw,if=ide,media=cdrom,readonly=on",
                "-drive",
                $"file={imagePath},format=raw,if=virtio,readonly=on",
            }
        )
        {
            startInfo.ArgumentList.Add(argument);
        }

        using var qemu = Process.Start(startInfo) ?? throw new InvalidOperationException("QEMU did not start");
        var lines = new List<string>();
        var console = new StringBuilder();
        var stderr = qemu.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TestEnvironment.Scaled(180));
        try
        {
            while (await qemu.StandardOutput.ReadLineAsync(timeout.Token) is { } line)
            {
                console.AppendLine(line);
                var marker = line.IndexOf("SEED-TEST ", StringComparison.Ordinal);
                if (marker >= 0)
                {
                    lines.Add(line[(marker + "SEED-TEST ".Length)..].TrimEnd());
                }
                if (line.Contains("SEED-TEST done", StringComparison.Ordinal))
                {
                    break;
                }
            }
            await qemu.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            Assert.Fail($"the guest did not finish in time; console so far:\n{console}\n{await Stderr(qemu, stderr)}");
        }
        finally
        {
            if (!qemu.HasExited)
            {
                qemu.Kill(entireProcessTree: true);
                await qemu.WaitForExitAsync(CancellationToken.None);
            }
        }
        Assert.True(lines.Contains("done"), $"no SEED-TEST done line; console:\n{console}\n{await stderr}");
        return lines;
    }

    // The test guest's initramfs followed by a second archive with our init and the three modules: the kernel
    // unpacks concatenated archives in order, so ours replace /init and add to /lib/modules.
    private static async Task<string> BuildInitrdAsync(string guest, string work)
    {
        var kernelDeb =
            Directory.GetFiles(guest + ".downloads", "linux-image-*.deb").SingleOrDefault()
            ?? throw new InvalidOperationException(
                $"no kernel package in {guest}.downloads (scripts/build-test-guest.sh keeps it there)"
            );
        var overlay = Directory.CreateDirectory(Path.Combine(work, "overlay")).FullName;
        var modules = Directory.CreateDirectory(Path.Combine(overlay, "lib", "modules")).FullName;
        var extracted = Directory.CreateDirectory(Path.Combine(work, "kernel")).FullName;
        await ExternalTool.RunCheckedAsync(
            "bash",
            "-c",
            "dpkg-deb --fsys-tarfile \"$1\" | tar -x -C \"$2\" --wildcards '*/isofs.ko' '*/cdrom.ko' '*/sr_mod.ko'",
            "extract",
            kernelDeb,
            extracted
        );
        foreach (var module in s_modules)
        {
            var found = Directory.GetFiles(extracted, module, SearchOption.AllDirectories).Single();
            File.Copy(found, Path.Combine(modules, module));
        }
        var init = Path.Combine(overlay, "init");
        File.Copy(Path.Combine(AppContext.BaseDirectory, "Support", "seed-probe-init.sh"), init);
        File.SetUnixFileMode(init, (UnixFileMode)0x1ED); // 0755

        var archive = Path.Combine(work, "overlay.cpio.gz");
        await ExternalTool.RunCheckedAsync(
            "bash",
            "-c",
            "cd \"$1\" && find . | LC_ALL=C sort | cpio --quiet -o -H newc -R 0:0 | gzip -1 > \"$2\"",
            "pack",
            overlay,
            archive
        );
        var initrd = Path.Combine(work, "initrd");
        await using (var output = File.Create(initrd))
        {
            foreach (var part in new[] { Path.Combine(guest, "initrd.gz"), archive })
            {
                await using var input = File.OpenRead(part);
                await input.CopyToAsync(output);
            }
        }
        return initrd;
    }

    private static async Task<string> Stderr(Process qemu, Task<string> stderr)
    {
        if (!qemu.HasExited)
        {
            qemu.Kill(entireProcessTree: true);
        }
        return await stderr;
    }
}
