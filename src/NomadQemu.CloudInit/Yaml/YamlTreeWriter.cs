using System.Text;
using YamlDotNet.Core;
using YamlDotNet.Core.Events;
using YamlDotNet.RepresentationModel;

namespace NomadQemu.CloudInit.Yaml;

/// <summary>
/// Writes a tree read by <see cref="BoundedYamlReader"/> back as block-style YAML for the guest's YAML 1.1 reader
/// (PyYAML, in cloud-init). What a value means survives the round trip: a scalar that was plain stays plain, so
/// the guest resolves <c>5</c>, <c>true</c>, <c>yes</c> or <c>null</c> to the same types it would have from the
/// job's own text; every other scalar (quoted, literal or folded) is written double-quoted, which is always a
/// string, with YAML escapes for anything not printable. Output is UTF-8 without a BOM, lines are never folded.
/// </summary>
internal static class YamlTreeWriter
{
    public static byte[] Write(YamlMappingNode root)
    {
        var text = new StringWriter(System.Globalization.CultureInfo.InvariantCulture) { NewLine = "\n" };
        var emitter = new Emitter(text, 2, int.MaxValue);
        emitter.Emit(new StreamStart());
        emitter.Emit(new DocumentStart());
        Node(emitter, root);
        emitter.Emit(new DocumentEnd(isImplicit: true));
        emitter.Emit(new StreamEnd());
        return Encoding.UTF8.GetBytes(text.ToString());
    }

    /// <summary>A scalar the guest reads as a string whatever its text ("123", "yes" and "2001-01-01" included).</summary>
    public static YamlScalarNode String(string value) => new(value) { Style = ScalarStyle.DoubleQuoted };

    /// <summary>A key of our own (letters and hyphens): plain, as a person would write it.</summary>
    public static YamlScalarNode Key(string name) => new(name) { Style = ScalarStyle.Plain };

    // Recursion depth is bounded by CloudInitLimits.MaxYamlDepth, which the reader enforced.
    private static void Node(Emitter emitter, YamlNode node)
    {
        var implicitTag = node.Tag.IsEmpty;
        switch (node)
        {
            case YamlScalarNode scalar:
                Scalar(emitter, scalar, implicitTag);
                break;
            case YamlMappingNode mapping:
                emitter.Emit(new MappingStart(AnchorName.Empty, node.Tag, implicitTag, MappingStyle.Block));
                foreach (var (key, value) in mapping.Children)
                {
                    Node(emitter, key);
                    Node(emitter, value);
                }
                emitter.Emit(new MappingEnd());
                break;
            case YamlSequenceNode sequence:
                emitter.Emit(new SequenceStart(AnchorName.Empty, node.Tag, implicitTag, SequenceStyle.Block));
                foreach (var item in sequence.Children)
                {
                    Node(emitter, item);
                }
                emitter.Emit(new SequenceEnd());
                break;
        }
    }

    private static void Scalar(Emitter emitter, YamlScalarNode scalar, bool implicitTag)
    {
        var value = scalar.Value ?? "";
        if (scalar.Style == ScalarStyle.Plain)
        {
            // An empty plain scalar is YAML's null; "~" says the same and can always be written plain. The rare plain
            // scalar that cannot be written plain in block context (a multi-line one) falls back to quotes, which
            // the guest reads as the string it already was (no implicit type matches across a line break).
            var text = value.Length == 0 ? "~" : value;
            emitter.Emit(new Scalar(AnchorName.Empty, scalar.Tag, text, ScalarStyle.Plain, implicitTag, implicitTag));
            return;
        }
        emitter.Emit(new Scalar(AnchorName.Empty, scalar.Tag, value, ScalarStyle.DoubleQuoted, false, implicitTag));
    }
}
