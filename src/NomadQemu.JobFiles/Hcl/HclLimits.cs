namespace NomadQemu.JobFiles.Hcl;

/// <summary>
/// Every size and depth limit the job-file reader enforces, in one place. A job file is input from whoever
/// wrote it: each limit turns an input that would exhaust the stack, memory or CPU into a positioned error.
/// The values sit far above anything a real job needs (Nomad's own jobs are kilobytes) and keep the worst
/// case of one <c>validate</c> to a few hundred MiB and a few seconds. README "Job files" lists them too.
/// </summary>
public static class HclLimits
{
    /// <summary>Largest job file, HCL or JSON, in bytes.</summary>
    public const int MaxFileBytes = 8 * 1024 * 1024;

    /// <summary>
    /// Deepest nesting of blocks, brackets, parentheses, interpolations, unary operators and conditionals; also
    /// the deepest list/object value (JSON documents are limited to 64 by the JSON reader). A flat chain of
    /// binary operators (<c>1 + 1 + ...</c>) is not nesting and may be as long as the token limit allows.
    /// </summary>
    public const int MaxNestingDepth = 128;

    /// <summary>Tokens in one file: bounds the size of the syntax tree (a heredoc body is one token).</summary>
    public const int MaxTokens = 500_000;

    /// <summary>Characters in one number literal or one string converted to a number.</summary>
    public const int MaxNumberLength = 100;

    /// <summary>Items in one list or object, written or computed.</summary>
    public const int MaxCollectionItems = 65_536;

    /// <summary>Characters in one string value, written or computed (templates, functions, <c>file()</c>).</summary>
    public const int MaxStringLength = 8 * 1024 * 1024;

    /// <summary>
    /// Size of one list/object value counted as if fully copied: one per item plus the characters of its
    /// strings and keys, with a shared part counted each time it appears. Bounds every walk of a value (the
    /// runner's interpolation, printing, comparison), even when locals build it by doubling.
    /// </summary>
    public const long MaxValueWeight = 16 * 1024 * 1024;

    /// <summary>
    /// Characters and collection items created while evaluating one file, all expressions together. Bounds
    /// the memory evaluation can allocate, however the values refer to each other.
    /// </summary>
    public const long MaxEvaluationAllocation = 64 * 1024 * 1024;

    /// <summary>
    /// Meta entries after merging job, group and task meta, summed over all groups and tasks: every task
    /// gets its own copy, so a long job meta times many tasks would otherwise multiply.
    /// </summary>
    public const int MaxMergedMetaEntries = 1_000_000;
}
