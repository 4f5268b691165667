using System.Globalization;
using NomadQemu.Driver.Supervision;
using NomadQemu.Driver.Tasks;

namespace NomadQemu.Driver;

public sealed partial class QemuDriver
{
    private const long BytesPerMb = 1024 * 1024;

    /// <summary>Puts guest RAM plus QEMU's overhead on the task's cgroup before QEMU exists (nomad#27392).</summary>
    private static TaskMemoryCgroup.Applied? ApplyMemoryLimit(LaunchPlan plan, TaskRequest request)
    {
        if (plan.Memory is not { } memory)
        {
            return null;
        }
        try
        {
            return TaskMemoryCgroup.Apply(NullIfEmpty(request.CgroupPath), memory.LimitMb * BytesPerMb);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new DriverException(
                DriverErrorKind.Internal,
                $"cannot set the task's memory limit ({memory.LimitMb} MiB) on its cgroup: {e.Message}",
                e
            );
        }
    }

    /// <summary>The numbers behind the limit, so an operator can see why the task may use more than <c>memory</c>.</summary>
    private void EmitMemory(TaskHandle handle, LaunchPlan plan, TaskMemoryCgroup.Applied? applied)
    {
        if (plan.Memory is not { } memory)
        {
            return;
        }
        static string Mb(long value) => value.ToString(CultureInfo.InvariantCulture);
        Emit(
            handle,
            applied is null
                ? $"guest RAM {Mb(memory.GuestMb)} MiB; no task cgroup, so no memory limit was set"
                : $"guest RAM {Mb(memory.GuestMb)} MiB, task memory limit {Mb(memory.LimitMb)} MiB (QEMU overhead {Mb(memory.OverheadMb)} MiB)",
            ("guest_memory_mb", Mb(memory.GuestMb)),
            ("qemu_overhead_mb", Mb(memory.OverheadMb)),
            ("memory_limit_mb", applied is null ? "none" : Mb(memory.LimitMb)),
            ("memory_cgroup", applied is null ? "none" : $"{applied.Version} {applied.Path}")
        );
    }

    /// <summary>
    /// The v1 memory cgroup the driver made for this task, recorded in its launch request: the supervisor removes
    /// it when QEMU exits, but a SIGKILLed supervisor leaves it behind.
    /// </summary>
    private static async Task RemoveLeftoverMemoryCgroupAsync(string runDir, CancellationToken cancellationToken)
    {
        LaunchRequest? launch;
        try
        {
            launch = new RunDirectory(runDir).ReadLaunch();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or System.Text.Json.JsonException)
        {
            return;
        }
        if (launch.MemoryCgroupCreated && launch.MemoryCgroupPath is { } path)
        {
            await TaskMemoryCgroup.RemoveLeftoverAsync(path, cancellationToken);
        }
    }
}
