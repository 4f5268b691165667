namespace NomadQemu.Runner.Tests.Fixtures;

/// <summary>Files of the repository the runner suite runs as a user would.</summary>
public static class RepoFiles
{
    public static string ExampleJob => Path.Combine(TestEnvironment.RepoRoot, "examples", "hello-vm.nomad.hcl");
}
