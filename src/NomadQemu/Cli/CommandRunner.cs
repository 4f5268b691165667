using NomadQemu.Runner;

namespace NomadQemu.Cli;

/// <summary>
/// Runs a command body and turns failures into the documented exit codes with a one-line reason on stderr.
/// Actions are synchronous on purpose: System.CommandLine gives async actions a 2 s grace after Ctrl-C and
/// then ends the process, which would orphan VMs that are still powering off. `run` handles signals itself.
/// </summary>
internal static class CommandRunner
{
    public static int Execute(Func<Task<int>> body)
    {
        try
        {
            return body().GetAwaiter().GetResult();
        }
        catch (RunnerException e)
        {
            Console.Error.WriteLine($"error: {e.Message}");
            return e.ExitCode;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            Console.Error.WriteLine($"error: {e.Message}");
            return RunnerExit.Failed;
        }
    }
}
