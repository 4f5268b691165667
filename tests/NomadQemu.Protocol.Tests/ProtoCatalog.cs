using Google.Protobuf.Reflection;

namespace NomadQemu.Protocol.Tests;

/// <summary>
/// Every message and enum our .proto files define, by full proto name, so tests can
/// name types the way the wire does ("hashicorp.nomad.plugins.drivers.proto.TaskConfig")
/// instead of by C# type.
/// </summary>
internal static class ProtoCatalog
{
    private static readonly FileDescriptor[] s_files =
    [
        Base.BaseReflection.Descriptor,
        Drivers.DriverReflection.Descriptor,
        HclSpec.HclSpecReflection.Descriptor,
        Structs.AttributeReflection.Descriptor,
        Structs.RecoverableErrorReflection.Descriptor,
        GoPlugin.GrpcControllerReflection.Descriptor,
        GoPlugin.GrpcStdioReflection.Descriptor,
        GoPlugin.GrpcBrokerReflection.Descriptor,
    ];

    private static readonly Dictionary<string, MessageDescriptor> s_messages = IndexMessages();

    private static readonly Dictionary<string, EnumDescriptor> s_enums = IndexEnums();

    public static MessageDescriptor Message(string fullName) =>
        s_messages.TryGetValue(fullName, out var descriptor)
            ? descriptor
            : throw new KeyNotFoundException($"No message named '{fullName}' in the generated protocol.");

    public static EnumDescriptor Enum(string fullName) =>
        s_enums.TryGetValue(fullName, out var descriptor)
            ? descriptor
            : throw new KeyNotFoundException($"No enum named '{fullName}' in the generated protocol.");

    public static FieldDescriptor Field(string messageFullName, string fieldName) =>
        Message(messageFullName).FindFieldByName(fieldName)
        ?? throw new KeyNotFoundException($"Message '{messageFullName}' has no field '{fieldName}'.");

    private static IEnumerable<MessageDescriptor> AllMessages() =>
        s_files.SelectMany(file => file.MessageTypes).SelectMany(WithNested);

    private static IEnumerable<MessageDescriptor> WithNested(MessageDescriptor message) =>
        message.NestedTypes.SelectMany(WithNested).Prepend(message);

    private static Dictionary<string, MessageDescriptor> IndexMessages() =>
        AllMessages().ToDictionary(message => message.FullName, StringComparer.Ordinal);

    private static Dictionary<string, EnumDescriptor> IndexEnums() =>
        s_files
            .SelectMany(file => file.EnumTypes)
            .Concat(AllMessages().SelectMany(message => message.EnumTypes))
            .ToDictionary(e => e.FullName, StringComparer.Ordinal);
}
