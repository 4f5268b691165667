using Microsoft.Win32.SafeHandles;
using NomadQemu.Core.Qemu;

namespace NomadQemu.Driver.Files;

/// <summary>
/// The descriptors QEMU inherits, at fixed numbers from <see cref="First"/> up in the order they were added (the
/// supervisor is spawned with exactly these, and passes exactly these on), and the fd sets built from them. A slot
/// may be reserved before its file exists (the overlay is created at start, after the argv is built).
/// </summary>
internal sealed class PassedFds : IDisposable
{
    public const int First = 3;

    private readonly List<SafeFileHandle?> _slots = [];
    private readonly List<FdSetMember> _members = [];
    private int _sets;

    public int Reserve()
    {
        _slots.Add(null);
        return First + _slots.Count - 1;
    }

    public int Add(SafeFileHandle handle)
    {
        _slots.Add(handle);
        return First + _slots.Count - 1;
    }

    public void Fill(int fd, SafeFileHandle handle) => _slots[fd - First] = handle;

    /// <summary>Puts the given descriptors in a new fd set and returns its id.</summary>
    public int NewSet(params int[] fds)
    {
        var set = ++_sets;
        _members.AddRange(fds.Select(fd => new FdSetMember(fd, set)));
        return set;
    }

    public IReadOnlyList<FdSetMember> Members => _members;

    public IReadOnlyList<int> Numbers => [.. Enumerable.Range(First, _slots.Count)];

    /// <summary>The handles in fd order. </summary>
    /// <exception cref="InvalidOperationException">A reserved slot was never filled.</exception>
    public IReadOnlyList<SafeFileHandle> Handles =>
        [.. _slots.Select(h => h ?? throw new InvalidOperationException("a reserved descriptor was never filled"))];

    public void Dispose()
    {
        foreach (var handle in _slots)
        {
            handle?.Dispose();
        }
    }
}
