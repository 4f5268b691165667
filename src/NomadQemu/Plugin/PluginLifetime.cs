using System.Runtime.InteropServices;

namespace NomadQemu.Plugin;

/// <summary>
/// Replaces the console lifetime. go-plugin servers ignore SIGINT for their whole life: Ctrl-C in the
/// terminal running the agent hits the whole process group, and the agent decides when its plugins stop.
/// SIGTERM stops the plugin process (never the VMs, which live in their own sessions).
/// </summary>
internal sealed class PluginLifetime(IHostApplicationLifetime lifetime) : IHostLifetime, IDisposable
{
    private PosixSignalRegistration? _sigint;
    private PosixSignalRegistration? _sigterm;

    public Task WaitForStartAsync(CancellationToken cancellationToken)
    {
        _sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, context => context.Cancel = true);
        _sigterm = PosixSignalRegistration.Create(
            PosixSignal.SIGTERM,
            context =>
            {
                context.Cancel = true;
                lifetime.StopApplication();
            }
        );
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public void Dispose()
    {
        _sigint?.Dispose();
        _sigterm?.Dispose();
    }
}
