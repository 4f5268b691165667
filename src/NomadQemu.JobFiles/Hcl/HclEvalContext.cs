namespace NomadQemu.JobFiles.Hcl;

/// <summary>A function callable from HCL. Throw <see cref="HclFunctionException"/> for bad arguments.</summary>
public delegate HclValue HclFunction(IReadOnlyList<HclValue> arguments, HclEvalContext context);

/// <summary>A function's complaint about its arguments; the evaluator adds the call's position.</summary>
public sealed class HclFunctionException(string message) : Exception(message);

/// <summary>What expressions can see while they are evaluated: root variables and functions.</summary>
public sealed class HclEvalContext
{
    /// <summary>A context with the standard functions (<see cref="HclStandardFunctions"/>) and no variables.</summary>
    /// <param name="baseDirectory">The directory <c>file()</c> paths are relative to: the job file's directory.</param>
    public HclEvalContext(string baseDirectory)
    {
        BaseDirectory = baseDirectory;
        foreach (var (name, function) in HclStandardFunctions.All)
        {
            Functions[name] = function;
        }
    }

    /// <summary>Root names such as <c>var</c> and <c>local</c>, each usually an <see cref="HclObject"/>.</summary>
    public Dictionary<string, HclValue> Variables { get; } = new(StringComparer.Ordinal);

    public Dictionary<string, HclFunction> Functions { get; } = new(StringComparer.Ordinal);

    public string BaseDirectory { get; }

    /// <summary>Where <c>env()</c> reads from; the process environment unless a test replaces it.</summary>
    public Func<string, string?> ReadEnvironment { get; init; } = Environment.GetEnvironmentVariable;

    /// <summary>
    /// True (Nomad's behaviour): a reference to an unknown root such as <c>NOMAD_TASK_DIR</c> or
    /// <c>attr.cpu.arch</c> evaluates to the text <c>${...}</c> for the Nomad client to interpolate later.
    /// False: such a reference is an error.
    /// </summary>
    public bool KeepUnknownReferences { get; init; } = true;

    /// <summary>What evaluation has allocated so far; contexts for one file share it.</summary>
    internal HclEvalBudget Budget { get; init; } = new();
}
