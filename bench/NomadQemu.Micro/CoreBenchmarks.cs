using BenchmarkDotNet.Attributes;
using NomadQemu.Core.Config;
using NomadQemu.Core.Qemu;

namespace NomadQemu.Micro;

/// <summary>Per-call cost of the work StartTask does on the config before anything touches the disk.</summary>
[MemoryDiagnoser]
public class CoreBenchmarks
{
    private byte[] _config = [];
    private QemuLaunchSpec _spec = null!;

    [GlobalSetup]
    public void Setup()
    {
        _config = MicroInputs.RealisticDriverConfig();
        _spec = MicroInputs.LaunchSpec(TaskConfig.Decode(_config));
    }

    [Benchmark(Baseline = true, Description = "raw MessagePackReader walk")]
    public int RawWalk() => RawMsgpackWalk.Walk(_config);

    [Benchmark(Description = "TaskConfig.Decode")]
    public TaskConfig Decode() => TaskConfig.Decode(_config);

    [Benchmark(Description = "QemuCommandLineBuilder.Build")]
    public QemuCommandLine BuildCommandLine() => QemuCommandLineBuilder.Build(_spec);
}
