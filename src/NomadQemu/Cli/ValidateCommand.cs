using System.CommandLine;
using NomadQemu.Runner;

namespace NomadQemu.Cli;

/// <summary>`validate JOBFILE`: every check `run` makes before starting a VM, without starting anything.</summary>
internal static class ValidateCommand
{
    public static Command Create()
    {
        var jobFile = new Argument<string>("JOBFILE")
        {
            Description = "A Nomad job file (HCL2 or Nomad's JSON job format).",
        };
        var vars = new Option<string[]>("--var")
        {
            Description = "Set an HCL variable: --var name=value (repeatable).",
        };
        var command = new Command(
            "validate",
            "Check a job file and every qemu task config (schema, images, emulator, ports) without starting anything. Exit 0 when valid, 2 otherwise."
        )
        {
            jobFile,
            vars,
        };
        command.SetAction(parsed =>
            CommandRunner.Execute(async () =>
            {
                var console = ConsoleSink.Stdout;
                await new JobValidator(
                    parsed.GetValue(jobFile)!,
                    JobLoading.ParseVars(parsed.GetValue(vars) ?? []),
                    console
                ).ValidateAsync(CancellationToken.None);
                console.Line("job is valid");
                return RunnerExit.Ok;
            })
        );
        return command;
    }
}
