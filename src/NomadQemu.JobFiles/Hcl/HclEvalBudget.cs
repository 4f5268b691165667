namespace NomadQemu.JobFiles.Hcl;

/// <summary>
/// Counts what evaluating one file allocates (string characters and collection items) against
/// <see cref="HclLimits.MaxEvaluationAllocation"/>. Charged before the allocation where the size is known
/// up front, so a refused value is never built.
/// </summary>
internal sealed class HclEvalBudget
{
    private long _used;

    public void Charge(long amount, HclExpression at)
    {
        _used = HclValueSize.Add(_used, amount);
        if (_used > HclLimits.MaxEvaluationAllocation)
        {
            throw at.Error(
                $"evaluating the job file creates more than {HclLimits.MaxEvaluationAllocation} characters and items in total; refusing to go on"
            );
        }
    }
}
