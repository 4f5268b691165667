using NomadQemu.Core.Cty;

namespace NomadQemu.Core.Tests.Config;

/// <summary>Builds config bytes the way Nomad does: every schema key present, then cty-msgpack.</summary>
internal static class ConfigTestData
{
    public static byte[] Encode(object? plain) => CtyMsgpack.Encode(CtyValue.FromPlain(plain));

    public static Dictionary<string, object?> Task(params (string Key, object? Value)[] entries)
    {
        Dictionary<string, object?> map = new() { ["image_path"] = "local/disk.img" };
        foreach ((var key, var value) in entries)
        {
            map[key] = value;
        }

        return map;
    }
}
