using BenchmarkDotNet.Running;

// Standalone entry: the usual BenchmarkDotNet switcher (e.g. `-- --filter '*' --job short`).
BenchmarkSwitcher.FromAssembly(typeof(NomadQemu.Micro.CoreBenchmarks).Assembly).Run(args);
