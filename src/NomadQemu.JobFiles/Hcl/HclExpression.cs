using System.Runtime.CompilerServices;

namespace NomadQemu.JobFiles.Hcl;

/// <summary>A parsed, not yet evaluated expression. Evaluate it against an <see cref="HclEvalContext"/>.</summary>
public abstract class HclExpression
{
    private protected HclExpression(SourceFile source, int start, int end)
    {
        Source = source;
        Start = start;
        End = end;
    }

    /// <summary>Where the expression starts.</summary>
    public HclPosition Position => Source.PositionOf(Start);

    /// <summary>The expression exactly as written.</summary>
    public string SourceText => Source.Text[Start..End];

    internal SourceFile Source { get; }

    internal int Start { get; }

    internal int End { get; }

    /// <summary>Sub-expressions, for walks that look for references.</summary>
    internal abstract IEnumerable<HclExpression> Children { get; }

    public HclValue Evaluate(HclEvalContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        return Eval(context);
    }

    /// <summary>
    /// Evaluates this expression and checks the result against <see cref="HclLimits"/>: every value any
    /// expression yields passes here, so no oversized or overdeep value leaves the evaluator.
    /// </summary>
    internal HclValue Eval(HclEvalContext context)
    {
        // The parser bounds nesting, so this is a backstop: a thread with a small stack still fails cleanly.
        if (!RuntimeHelpers.TryEnsureSufficientExecutionStack())
        {
            throw Error("the expression is nested too deeply to evaluate on this thread's stack");
        }
        var value = Compute(context);
        HclValueLimits.Check(value, this);
        return value;
    }

    private protected abstract HclValue Compute(HclEvalContext context);

    internal HclException Error(string message) => Source.Error(Start, message);

    /// <summary>This expression and all expressions under it.</summary>
    internal IEnumerable<HclExpression> DescendantsAndSelf()
    {
        var stack = new Stack<HclExpression>();
        stack.Push(this);
        while (stack.Count > 0)
        {
            var next = stack.Pop();
            yield return next;
            foreach (var child in next.Children)
            {
                stack.Push(child);
            }
        }
    }
}
