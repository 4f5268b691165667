using Google.Protobuf;
using Grpc.Core;
using NomadQemu.Protocol.Drivers;

namespace NomadQemu.TestKit;

/// <summary>
/// VMs that a killed or shut-down plugin left running (as it must, for recovery) and that nothing will recover
/// now: a new instance on the same state dir takes each one back and its <see cref="TaskReaper"/> destroys them.
/// </summary>
public static class LeftoverVms
{
    /// <summary>
    /// Recovers every handle (as Nomad stores it: driver config empty) and destroys it. A handle that cannot be
    /// recovered (already gone) is skipped; this is cleanup, so it ignores the caller's cancellation.
    /// </summary>
    /// <returns>The ids destroyed.</returns>
    public static async Task<IReadOnlyList<string>> DestroyAsync(byte[] pluginConfig, IEnumerable<TaskHandle> handles)
    {
        await using var session = await PluginSession.StartAsync(pluginConfig);
        foreach (var handle in handles)
        {
            var stored = handle.Clone();
            stored.Config.MsgpackDriverConfig = ByteString.Empty;
            try
            {
                await session.Driver.RecoverTaskAsync(new RecoverTaskRequest { Handle = stored });
            }
            catch (RpcException)
            {
                // Gone already (destroyed, or its run dir removed): nothing to take back.
            }
        }
        return await session.Plugin.Reaper.ReapAsync(session.Driver, TestEnvironment.Scaled(60));
    }
}
