using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;

namespace NomadQemu.Core.WarmStart;

/// <summary>
/// The name of a template: SHA-256 over a canonical list of (name, value) pairs, each length-prefixed so no two
/// different lists hash the same bytes ("ab"+"c" vs "a"+"bc"). Everything a restore depends on goes in; anything
/// that differs gives another key, so a mismatch builds a new template instead of restoring a broken one.
/// </summary>
public sealed partial class TemplateKey
{
    /// <summary>Bumped when what a template holds changes shape: old templates then simply stop matching.</summary>
    public const string FormatVersion = "warm-template-1";

    private readonly List<KeyValuePair<string, string>> _parts = [new("format", FormatVersion)];

    public TemplateKey Add(string name, string value)
    {
        _parts.Add(new(name, value));
        return this;
    }

    public TemplateKey AddRange(string name, IEnumerable<string> values)
    {
        var i = 0;
        foreach (var value in values)
        {
            _parts.Add(new($"{name}[{i++}]", value));
        }
        _parts.Add(new($"{name}.count", i.ToString(System.Globalization.CultureInfo.InvariantCulture)));
        return this;
    }

    /// <summary>The inputs in order (written to template.json so an operator can see why two keys differ).</summary>
    public IReadOnlyList<KeyValuePair<string, string>> Parts => _parts;

    /// <summary>64 lowercase hex digits.</summary>
    public string Compute()
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        Span<byte> length = stackalloc byte[8];
        foreach (var (name, value) in _parts)
        {
            foreach (var text in new[] { name, value })
            {
                var bytes = Encoding.UTF8.GetBytes(text);
                BinaryPrimitives.WriteInt64BigEndian(length, bytes.Length);
                hash.AppendData(length);
                hash.AppendData(bytes);
            }
        }
        return Convert.ToHexStringLower(hash.GetHashAndReset());
    }

    /// <summary>True for a string that can be a key (and so a directory name): 64 lowercase hex digits.</summary>
    public static bool IsKey(string text) => KeyPattern().IsMatch(text);

    /// <summary>
    /// The device-relevant shape of a cold-boot argv: the same list with what differs per task and does not reach
    /// the guest's device state removed or made constant: inherited descriptor numbers (they depend on how many
    /// files the task opened), the VM's name, and the host side of port forwards (slirp's forwards are not in the
    /// migration state, so each clone gets its own ports).
    /// </summary>
    public static IReadOnlyList<string> Shape(IReadOnlyList<string> argv)
    {
        List<string> shape = [];
        for (var i = 0; i < argv.Count; i++)
        {
            if (argv[i] == "-name" && i + 1 < argv.Count)
            {
                i++;
                continue;
            }
            var value = FdPattern().Replace(argv[i], "${k}=#");
            value = ProcFdPattern().Replace(value, "/proc/self/fd/#");
            value = FdSetPattern().Replace(value, "/dev/fdset/#");
            value = HostForwardPattern().Replace(value, "");
            shape.Add(value);
        }
        return shape;
    }

    [GeneratedRegex("^[0-9a-f]{64}$")]
    private static partial Regex KeyPattern();

    [GeneratedRegex(@"\b(?<k>fd|set)=\d+")]
    private static partial Regex FdPattern();

    [GeneratedRegex(@"/proc/self/fd/\d+")]
    private static partial Regex ProcFdPattern();

    [GeneratedRegex(@"/dev/fdset/\d+")]
    private static partial Regex FdSetPattern();

    [GeneratedRegex(@",hostfwd=[^,]*")]
    private static partial Regex HostForwardPattern();
}
