using System.Text.Json.Serialization;

namespace NomadQemu.Qmp.GuestAgent.Wire;

/// <summary>
/// Source-generated (Native AOT safe) JSON metadata for every argument and reply type. Strict where it helps:
/// a missing required member or a null where none is allowed is a <see cref="System.Text.Json.JsonException"/>,
/// which the client reports as a <see cref="GuestAgentProtocolException"/>. Unknown members are ignored so a
/// newer agent's additions do not break us.
/// </summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.KebabCaseLower,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    RespectNullableAnnotations = true,
    RespectRequiredConstructorParameters = true
)]
[JsonSerializable(typeof(SyncArguments))]
[JsonSerializable(typeof(ExecArguments))]
[JsonSerializable(typeof(PidArguments))]
[JsonSerializable(typeof(ShutdownArguments))]
[JsonSerializable(typeof(SetTimeArguments))]
[JsonSerializable(typeof(FileOpenArguments))]
[JsonSerializable(typeof(HandleArguments))]
[JsonSerializable(typeof(FileReadArguments))]
[JsonSerializable(typeof(FileWriteArguments))]
[JsonSerializable(typeof(FreezeListArguments))]
[JsonSerializable(typeof(InfoReply))]
[JsonSerializable(typeof(ExecReply))]
[JsonSerializable(typeof(ExecStatusReply))]
[JsonSerializable(typeof(IReadOnlyList<NetworkInterfaceReply>))]
[JsonSerializable(typeof(FileReadReply))]
[JsonSerializable(typeof(FileWriteReply))]
[JsonSerializable(typeof(long))]
[JsonSerializable(typeof(int))]
[JsonSerializable(typeof(string))]
internal sealed partial class GuestAgentJsonContext : JsonSerializerContext;
