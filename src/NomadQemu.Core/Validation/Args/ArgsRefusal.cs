using NomadQemu.Core.Config;

namespace NomadQemu.Core.Validation.Args;

/// <summary>Builds the one message shape every <c>args</c> refusal uses: index, option and value, why, and the rule.</summary>
internal static class ArgsRefusal
{
    public const string GrammarRule = "grammar";
    public const string DriverOwnedRule = "driver-owned";
    public const string HostReachingRule = "host-reaching, refused by default";
    public const string AllowlistRule = "args_allowlist";
    public const string DriverIdRule = "driver id";
    public const string HostForwardRule = "hostfwd outside the task's allocated ports";

    public static ConfigException Create(int index, string shown, string detail, string rule) =>
        ConfigException.ForKey(TaskConfigSchema.Args, $"args[{index}] {shown}: {detail} (rule: {rule})");

    /// <summary><c>"-device" "loader,file=/x"</c>: both words as the job wrote them, quoted.</summary>
    public static string Show(QemuArgument argument) =>
        argument.Value is null ? Quote(argument.Spelling) : $"{Quote(argument.Spelling)} {Quote(argument.Value)}";

    public static string Quote(string text) => "\"" + text + "\"";
}
