using System.Collections.Concurrent;
using System.Diagnostics.CodeAnalysis;

namespace NomadQemu.Driver.Tasks;

/// <summary>
/// The tasks this driver instance knows, by Nomad task id, and the ids being started. A start reserves its id
/// before any side effect and releases it only after the handle is added, so two concurrent starts of one id
/// can never both pass (and never share a run dir).
/// </summary>
internal sealed class TaskStore
{
    private readonly ConcurrentDictionary<string, TaskHandle> _tasks = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, byte> _starting = new(StringComparer.Ordinal);

    public bool TryAdd(TaskHandle handle) => _tasks.TryAdd(handle.TaskId, handle);

    /// <summary>True when the id was free (neither known nor starting) and is now reserved for this caller.</summary>
    public bool TryReserve(string taskId) => !_tasks.ContainsKey(taskId) && _starting.TryAdd(taskId, 0);

    /// <summary>Ends a reservation: after the handle was added, or when the start failed.</summary>
    public void Release(string taskId) => _starting.TryRemove(taskId, out _);

    public bool TryGet(string taskId, [NotNullWhen(true)] out TaskHandle? handle) =>
        _tasks.TryGetValue(taskId, out handle);

    public bool Remove(string taskId) => _tasks.TryRemove(taskId, out _);

    public bool Contains(string taskId) => _tasks.ContainsKey(taskId);

    public IReadOnlyCollection<TaskHandle> All => (IReadOnlyCollection<TaskHandle>)_tasks.Values;

    public int Count => _tasks.Count;
}
