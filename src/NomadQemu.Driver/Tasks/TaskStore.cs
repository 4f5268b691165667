using System.Collections.Concurrent;
using System.Diagnostics.CodeAnalysis;

namespace NomadQemu.Driver.Tasks;

/// <summary>The tasks this driver instance knows, by Nomad task id. Nothing more.</summary>
internal sealed class TaskStore
{
    private readonly ConcurrentDictionary<string, TaskHandle> _tasks = new(StringComparer.Ordinal);

    public bool TryAdd(TaskHandle handle) => _tasks.TryAdd(handle.TaskId, handle);

    public bool TryGet(string taskId, [NotNullWhen(true)] out TaskHandle? handle) =>
        _tasks.TryGetValue(taskId, out handle);

    public bool Remove(string taskId) => _tasks.TryRemove(taskId, out _);

    public bool Contains(string taskId) => _tasks.ContainsKey(taskId);

    public IReadOnlyCollection<TaskHandle> All => (IReadOnlyCollection<TaskHandle>)_tasks.Values;

    public int Count => _tasks.Count;
}
