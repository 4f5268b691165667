namespace NomadQemu.Qmp.Framing;

/// <summary>What <see cref="LineReader.ReadLineAsync"/> found.</summary>
internal enum LineReadStatus
{
    /// <summary>A complete line within the limit.</summary>
    Line,

    /// <summary>The peer closed the stream.</summary>
    EndOfStream,

    /// <summary>More bytes than the limit without a newline.</summary>
    TooLong,
}
