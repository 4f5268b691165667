using System.Text;
using YamlDotNet.Core;
using YamlDotNet.Core.Events;
using YamlDotNet.RepresentationModel;

namespace NomadQemu.CloudInit.Yaml;

/// <summary>
/// Reads a job's meta-data or network-config (YAML, or JSON, which YAML reads too) into a tree, refusing what a
/// hostile document could use against the plugin or what cannot be carried over faithfully: more than one
/// document, anchors and aliases (the "billion laughs" expansion), application tags, non-scalar or duplicate keys,
/// nesting deeper than <see cref="CloudInitLimits.MaxYamlDepth"/> or more than
/// <see cref="CloudInitLimits.MaxYamlNodes"/> nodes. The tree is built from YamlDotNet's event parser in one loop
/// with an explicit stack, so no input can recurse the plugin's stack.
/// </summary>
internal static class BoundedYamlReader
{
    private const string CoreTagPrefix = "tag:yaml.org,2002:";
    private static readonly UTF8Encoding s_strictUtf8 = new(false, throwOnInvalidBytes: true);

    /// <summary>
    /// The document's root mapping; an empty document (or a bare null) reads as an empty mapping.
    /// </summary>
    /// <exception cref="CloudInitException">The bytes are over <paramref name="maxBytes"/>, not UTF-8, not YAML, or
    /// use something refused above.</exception>
    public static YamlMappingNode ReadMapping(ReadOnlySpan<byte> bytes, string part, int maxBytes)
    {
        var root = Read(bytes, part, maxBytes);
        return root switch
        {
            null => [],
            YamlMappingNode mapping => mapping,
            YamlScalarNode { Style: ScalarStyle.Plain, Value: "" or "~" or "null" or "Null" or "NULL" } => [],
            _ => throw new CloudInitException(part, "must be a mapping of keys to values (YAML or a JSON object)"),
        };
    }

    private static YamlNode? Read(ReadOnlySpan<byte> bytes, string part, int maxBytes)
    {
        CheckSize(bytes, part, maxBytes);
        var parser = new Parser(new StringReader(Decode(bytes, part)));
        var tree = new TreeBuilder(part);
        try
        {
            while (parser.MoveNext())
            {
                tree.Accept(parser.Current!);
            }
        }
        catch (YamlException e)
        {
            throw new CloudInitException(
                part,
                $"is not valid YAML at line {e.Start.Line}, column {e.Start.Column}: {Describe(e)}",
                e
            );
        }
        catch (Exception e) when (e is not CloudInitException)
        {
            throw new CloudInitException(part, "is not valid YAML", e);
        }
        return tree.Root;
    }

    public static void CheckSize(ReadOnlySpan<byte> bytes, string part, int maxBytes)
    {
        if (bytes.Length > maxBytes)
        {
            throw new CloudInitException(part, $"is {bytes.Length} bytes, over the limit of {maxBytes} bytes");
        }
    }

    private static string Decode(ReadOnlySpan<byte> bytes, string part)
    {
        if (bytes.StartsWith("\uFEFF"u8))
        {
            bytes = bytes[3..];
        }
        try
        {
            return s_strictUtf8.GetString(bytes);
        }
        catch (DecoderFallbackException e)
        {
            throw new CloudInitException(part, $"is not valid UTF-8 (bad byte at offset {e.Index})", e);
        }
    }

    // YamlDotNet prefixes its messages with both marks; the position is already in our message.
    private static string Describe(YamlException e)
    {
        var message = e.Message;
        var separator = message.IndexOf("): ", StringComparison.Ordinal);
        return separator >= 0 ? message[(separator + 3)..] : message;
    }

    private sealed class TreeBuilder(string part)
    {
        private readonly Stack<Frame> _open = new();
        private int _nodes;
        private int _documents;

        public YamlNode? Root { get; private set; }

        public void Accept(ParsingEvent parsingEvent)
        {
            switch (parsingEvent)
            {
                case DocumentStart when ++_documents > 1:
                    throw new CloudInitException(part, "holds more than one YAML document; give exactly one");
                case AnchorAlias:
                    throw new CloudInitException(part, "uses an alias (*name); anchors and aliases are not supported");
                case NodeEvent node:
                    Open(node);
                    break;
                case MappingEnd or SequenceEnd:
                    _open.Pop();
                    break;
            }
        }

        private void Open(NodeEvent node)
        {
            if (!node.Anchor.IsEmpty)
            {
                throw new CloudInitException(part, "uses an anchor (&name); anchors and aliases are not supported");
            }
            if (++_nodes > CloudInitLimits.MaxYamlNodes)
            {
                throw new CloudInitException(part, $"has more than {CloudInitLimits.MaxYamlNodes} values");
            }
            var tag = CheckTag(node.Tag);
            YamlNode created = node switch
            {
                Scalar scalar => new YamlScalarNode(scalar.Value) { Style = scalar.Style, Tag = tag },
                MappingStart => new YamlMappingNode { Tag = tag },
                _ => new YamlSequenceNode { Tag = tag },
            };
            Attach(created);
            if (created is not YamlScalarNode)
            {
                if (_open.Count >= CloudInitLimits.MaxYamlDepth)
                {
                    throw new CloudInitException(part, $"nests deeper than {CloudInitLimits.MaxYamlDepth} levels");
                }
                _open.Push(new Frame(created));
            }
        }

        private void Attach(YamlNode node)
        {
            if (!_open.TryPeek(out var parent))
            {
                Root = node;
                return;
            }
            if (parent.Node is YamlSequenceNode sequence)
            {
                sequence.Add(node);
                return;
            }

            var mapping = (YamlMappingNode)parent.Node;
            if (parent.PendingKey is null)
            {
                if (node is not YamlScalarNode key)
                {
                    throw new CloudInitException(part, "uses a mapping or a sequence as a key; keys must be scalars");
                }
                if (mapping.Children.ContainsKey(key))
                {
                    throw new CloudInitException(part, $"has the key \"{Shorten(key.Value)}\" twice in one mapping");
                }
                parent.PendingKey = key;
                return;
            }
            mapping.Add(parent.PendingKey, node);
            parent.PendingKey = null;
        }

        // Only YAML's own tags (!!str, !!int, !!binary, ...) have a meaning the guest's safe loader shares.
        private TagName CheckTag(TagName tag)
        {
            if (tag.IsEmpty || tag.IsNonSpecific)
            {
                return TagName.Empty;
            }
            if (!tag.Value.StartsWith(CoreTagPrefix, StringComparison.Ordinal))
            {
                throw new CloudInitException(
                    part,
                    $"uses the tag \"{Shorten(tag.Value)}\"; only YAML's standard tags (!!str, !!int, ...) are allowed"
                );
            }
            return tag;
        }

        private static string Shorten(string? text) =>
            text is null ? ""
            : text.Length <= 64 ? text
            : text[..64] + "...";

        private sealed class Frame(YamlNode node)
        {
            public YamlNode Node { get; } = node;
            public YamlScalarNode? PendingKey { get; set; }
        }
    }
}
