using System.Security.Cryptography;
using System.Text;

namespace NomadQemu.CloudInit.Identity;

/// <summary>
/// The defaults that make cloud-init's "first boot" line up with Nomad's lifecycle. cloud-init runs its
/// once-per-instance work when <c>instance-id</c> changes, so the id is a pure function of the allocation and the
/// task: a restarted task (same alloc) is not a first boot, a rescheduled alloc (new id) is. Both values are
/// derived from, never copied from, the inputs, so nothing a job names can break the guest's YAML or paths.
/// </summary>
public static class SeedIdentity
{
    private const int MaxHostnameLength = 63; // one DNS label (RFC 1123)
    private const int AllocSuffixLength = 8; // Nomad's short alloc id

    /// <summary><c>nomad-</c> and 32 hex digits of SHA-256 over the alloc id and task name.</summary>
    public static string InstanceId(string allocId, string taskName)
    {
        Check(allocId, "alloc_id");
        Check(taskName, "task_name");
        // Length-prefixed, so ("ab", "c") and ("a", "bc") never collide.
        var text = $"nomad-driver-qemu/instance-id\n{allocId.Length}:{allocId}\n{taskName.Length}:{taskName}";
        var hash = SHA256.HashData(Encoding.UTF8.GetBytes(text));
        return "nomad-" + Convert.ToHexStringLower(hash.AsSpan(0, 16));
    }

    /// <summary>
    /// <c>&lt;task&gt;-&lt;short alloc id&gt;</c> as one valid DNS label: lower-case letters, digits and hyphens,
    /// at most 63 characters (for example <c>web-0b3c6d0e</c>, matching <c>nomad alloc status</c>'s short id).
    /// </summary>
    public static string Hostname(string allocId, string taskName)
    {
        Check(allocId, "alloc_id");
        Check(taskName, "task_name");
        var suffix = Label(allocId, AllocSuffixLength);
        if (suffix.Length == 0)
        {
            suffix = InstanceId(allocId, taskName)["nomad-".Length..][..AllocSuffixLength];
        }
        var task = Label(taskName, MaxHostnameLength - 1 - suffix.Length);
        return (task.Length == 0 ? "task" : task) + "-" + suffix;
    }

    // Lower-cases, maps every other character to '-', collapses runs of '-', trims '-' from both ends.
    private static string Label(string text, int maxLength)
    {
        var label = new StringBuilder(Math.Min(text.Length, maxLength));
        foreach (var c in text)
        {
            if (label.Length == maxLength)
            {
                break;
            }
            var lower = char.ToLowerInvariant(c);
            if (lower is (>= 'a' and <= 'z') or (>= '0' and <= '9'))
            {
                label.Append(lower);
            }
            else if (label.Length > 0 && label[^1] != '-')
            {
                label.Append('-');
            }
        }
        return label.ToString().TrimEnd('-');
    }

    private static void Check(string value, string name)
    {
        ArgumentNullException.ThrowIfNull(value, name);
        if (value.Length == 0 || value.Length > CloudInitLimits.MaxIdentityLength)
        {
            throw new CloudInitException(
                name,
                $"must be 1 to {CloudInitLimits.MaxIdentityLength} characters (got {value.Length})"
            );
        }
    }
}
