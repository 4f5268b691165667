using NomadQemu.Core.Config;
using NomadQemu.Core.Cty;
using NomadQemu.JobFiles.Hcl;

namespace NomadQemu.Runner;

/// <summary>
/// Produces the exact bytes Nomad would put in <c>msgpack_driver_config</c> for a task's <c>config</c> block:
/// the value tree converted to cty shapes, coerced with the driver's own schema (defaults filled, types
/// converted, unknown keys refused, as Nomad's hcldec does), then cty-msgpack encoded.
/// </summary>
internal static class TaskConfigEncoder
{
    /// <exception cref="ConfigException">An unknown key, a missing required key or a wrongly typed value.</exception>
    public static byte[] Encode(HclObject config)
    {
        var raw = CtyValue.FromPlain(ToPlain(config));
        var coerced = ConfigCoercion.Coerce(raw, TaskConfigSchema.Spec);
        var bytes = CtyMsgpack.Encode(coerced);
        // The driver decodes these same bytes; decoding here too surfaces value errors (enums, ranges) before any work.
        TaskConfig.Decode(bytes);
        return bytes;
    }

    private static object? ToPlain(HclValue value) =>
        value switch
        {
            HclString s => s.Value,
            HclNumber n => n.Value,
            HclBool b => b.Value,
            HclList list => list.Items.Select(ToPlain).ToList(),
            HclObject obj => obj.Entries.Select(e => KeyValuePair.Create(e.Key, ToPlain(e.Value))).ToList(),
            _ => null,
        };
}
