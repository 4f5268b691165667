using System.Text;
using System.Text.Json;

namespace NomadQemu.Core.Qemu;

/// <summary>
/// Writes a <see cref="DiskLayer"/> chain as the block options QEMU takes in a <c>json:</c> filename. JSON because
/// only it can say <c>"backing": null</c> ("no backing file, whatever the header says"), which -drive's key=value
/// syntax cannot.
/// </summary>
internal static class DiskLayerJson
{
    public static string Write(DiskLayer layer)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            WriteLayer(json, layer);
        }
        return Encoding.UTF8.GetString(buffer.ToArray());
    }

    private static void WriteLayer(Utf8JsonWriter json, DiskLayer layer)
    {
        json.WriteStartObject();
        json.WriteString("driver", layer.Format);
        WriteFile(json, "file", layer.FdSet, layer.FileLocking);
        if (layer.Format == "qcow2")
        {
            json.WritePropertyName("backing");
            if (layer.Backing is null)
            {
                json.WriteNullValue();
            }
            else
            {
                WriteLayer(json, layer.Backing);
            }
            if (layer.DataFileFdSet is { } dataSet)
            {
                WriteFile(json, "data-file", dataSet, layer.FileLocking);
            }
        }
        json.WriteEndObject();
    }

    private static void WriteFile(Utf8JsonWriter json, string name, int fdSet, bool locking)
    {
        json.WriteStartObject(name);
        json.WriteString("driver", "file");
        json.WriteString("filename", $"/dev/fdset/{fdSet}");
        if (!locking)
        {
            json.WriteString("locking", "off");
        }
        json.WriteEndObject();
    }
}
