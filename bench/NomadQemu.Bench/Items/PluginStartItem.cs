using NomadQemu.Bench.Measure;
using NomadQemu.Bench.Report;

namespace NomadQemu.Bench.Items;

/// <summary>Item 1: launch → handshake line, and idle memory, of the published executable against a native floor.</summary>
public static class PluginStartItem
{
    public static async Task RunAsync(BenchContext context, ReportSection section)
    {
        var floor = await NativeFloor.BuildAsync(context);
        var ours = new Sample("ms");
        var baseline = new Sample("ms");
        var oursRss = new Sample("MiB");
        var floorRss = new Sample("MiB");
        for (var i = 0; i < context.Options.PluginLaunches; i++)
        {
            // Interleaved, ours first then the floor, so drift in machine load hits both alike.
            await using (var plugin = await HandshakeLaunch.StartAsync(context.Options.Binary, context.Cancellation))
            {
                if (!plugin.Line.StartsWith("1|2|unix|", StringComparison.Ordinal))
                {
                    throw new InvalidOperationException($"unexpected handshake line from the plugin: {plugin.Line}");
                }
                ours.Add(plugin.Seconds * 1000);
                if (i < context.Options.PluginRssSamples)
                {
                    await Task.Delay(1000, context.Cancellation);
                    oursRss.Add(ProcFs.RssBytes(plugin.Pid) / 1048576.0);
                }
            }
            await using (var native = await HandshakeLaunch.StartAsync(floor, context.Cancellation))
            {
                baseline.Add(native.Seconds * 1000);
                if (i < context.Options.PluginRssSamples)
                {
                    await Task.Delay(1000, context.Cancellation);
                    floorRss.Add(ProcFs.RssBytes(native.Pid) / 1048576.0);
                }
            }
        }
        section.Add("launch → handshake line", ours, "native C program → first line", baseline);
        section.Add(
            "p95 launch → handshake line",
            Sample.Of("ms", [ours.P95]),
            "native p95",
            Sample.Of("ms", [baseline.P95])
        );
        section.Add("idle RSS 1 s after handshake", oursRss, "native C program RSS", floorRss);

        // A plugin on a node is configured and fingerprinting: its idle memory is what an operator pays.
        var configured = new Sample("MiB");
        for (var i = 0; i < context.Options.PluginRssSamples; i++)
        {
            var (session, stateDir) = await context.StartSessionAsync();
            await using (session)
            {
                using (stateDir)
                {
                    await Task.Delay(2000, context.Cancellation);
                    configured.Add(ProcFs.RssBytes(session.Plugin.Pid) / 1048576.0);
                }
            }
        }
        section.Add(
            "idle RSS, configured (SetConfig + fingerprint, 2 s idle)",
            configured,
            "native C program RSS",
            floorRss
        );
        section.Note(
            $"Both launched by the same harness code (.NET Process.Start with go-plugin environment, piped stdio); the native floor is `{Path.GetFileName(floor)}` built from bench/NomadQemu.Bench/native/handshake-floor.c with `cc -O2`."
        );
        section.Note(
            $"Published executable: {new FileInfo(context.Options.Binary).Length / 1048576.0:0.0} MiB on disk."
        );
    }
}

/// <summary>Compiles the native floor program once into the cache dir.</summary>
public static class NativeFloor
{
    public static async Task<string> BuildAsync(BenchContext context)
    {
        var source = Path.Combine(AppContext.BaseDirectory, "native", "handshake-floor.c");
        var output = Path.Combine(context.Options.CacheDir, "handshake-floor");
        if (!File.Exists(output) || File.GetLastWriteTimeUtc(output) < File.GetLastWriteTimeUtc(source))
        {
            Directory.CreateDirectory(context.Options.CacheDir);
            // cc where a C toolchain is installed; clang is what scripts/install-deps.sh guarantees (Native AOT).
            var compiler = File.Exists("/usr/bin/cc") ? "cc" : "clang";
            await Command.RunAsync(compiler, ["-O2", "-o", output + ".tmp", source], context.Cancellation);
            File.Move(output + ".tmp", output, overwrite: true);
        }
        return output;
    }
}
