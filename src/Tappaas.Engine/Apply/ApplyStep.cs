namespace Tappaas.Engine.Apply;

/// <summary>One step of a journalled run.</summary>
/// <param name="Index">Position in the run.</param>
/// <param name="Kind">What it does.</param>
/// <param name="Module">The module it acts for.</param>
/// <param name="Service">For service steps, the consumed service as <c>module:service</c>.</param>
/// <param name="ProviderFolder">For service steps, the providing module's folder.</param>
/// <param name="Hook">For module hooks, the hook name (install, update, …).</param>
/// <param name="Reason">Why the step runs.</param>
public sealed record ApplyStep(int Index, StepKind Kind, string Module, string? Service = null, string? ProviderFolder = null, string? Hook = null, string Reason = "")
{
    /// <summary>A stable address for the journal.</summary>
    public string Address => Kind switch
    {
        StepKind.ServiceInstall or StepKind.ServiceUpdate or StepKind.ServiceDelete => $"{Module}/{Service}:{Kind}",
        StepKind.ModuleHook => $"{Module}:{Hook}.sh",
        _ => $"{Module}:{Kind}",
    };
}
