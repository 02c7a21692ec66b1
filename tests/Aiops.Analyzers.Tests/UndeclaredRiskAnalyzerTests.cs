using Verify = Aiops.Analyzers.Tests.Verifiers.CSharpAnalyzerVerifier<Aiops.Analyzers.UndeclaredRiskAnalyzer>;

namespace Aiops.Analyzers.Tests;

public sealed class UndeclaredRiskAnalyzerTests
{
    private const string Usings = """
        using System.Threading;
        using System.Threading.Tasks;
        using Aiops.Gates;
        using Aiops.Gates.Actions;
        using Aiops.Hosting;

        """;

    [Fact]
    public async Task NewSimulatedAction_WithoutRisk_Reports()
    {
        var source = Usings + """
            public static class Setup
            {
                public static void Configure(AiopsBuilder aiops) => aiops.AddAction({|#0:new SimulatedAction("restart")|});
            }
            """;

        await Verify.VerifyAnalyzerAsync(source, Verify.Diagnostic().WithLocation(0).WithArguments(
            "SimulatedAction", "'risk' is left at its default; pass it explicitly (risk: RiskClass.Low, .Medium, .High or .Destructive)"));
    }

    [Fact]
    public async Task NewSimulatedAction_WithRisk_DoesNotReport()
    {
        var source = Usings + """
            public static class Setup
            {
                public static void Configure(AiopsBuilder aiops) => aiops
                    .AddAction(new SimulatedAction("restart", RiskClass.Medium))
                    .AddAction(new SimulatedAction("flush", risk: RiskClass.Low));
            }
            """;

        await Verify.VerifyAnalyzerAsync(source);
    }

    [Fact]
    public async Task ActionClass_RiskNeverAssigned_Reports()
    {
        var source = Usings + """
            public sealed class RestartAction : IRemediationAction
            {
                public string Id => "restart";
                public RiskClass {|#0:Risk|} { get; }
                public ValueTask<ActionOutcome> ExecuteAsync(Decision decision, CancellationToken cancellationToken) => ValueTask.FromResult(ActionOutcome.Success("ok"));
            }

            public sealed class FlushAction : IRemediationAction
            {
                public string Id => "flush";
                public RiskClass {|#1:Risk|} => default;
                public ValueTask<ActionOutcome> ExecuteAsync(Decision decision, CancellationToken cancellationToken) => ValueTask.FromResult(ActionOutcome.Success("ok"));
            }
            """;

        await Verify.VerifyAnalyzerAsync(
            source,
            Verify.Diagnostic().WithLocation(0).WithArguments("RestartAction", "'Risk' is never given a value, so it is always Low; initialise it or set it in the constructor"),
            Verify.Diagnostic().WithLocation(1).WithArguments("FlushAction", "'Risk' returns default (Low); return the class this action really has"));
    }

    [Fact]
    public async Task ActionClass_RiskDeclared_DoesNotReport()
    {
        var source = Usings + """
            public sealed class RestartAction : IRemediationAction
            {
                public RestartAction(RiskClass risk) => Risk = risk;
                public string Id => "restart";
                public RiskClass Risk { get; }
                public ValueTask<ActionOutcome> ExecuteAsync(Decision decision, CancellationToken cancellationToken) => ValueTask.FromResult(ActionOutcome.Success("ok"));
            }

            public sealed class FailoverAction : IRemediationAction
            {
                public string Id => "failover";
                public RiskClass Risk => RiskClass.High;
                public ValueTask<ActionOutcome> ExecuteAsync(Decision decision, CancellationToken cancellationToken) => ValueTask.FromResult(ActionOutcome.Success("ok"));
            }

            public sealed class ScaleOutAction : IRemediationAction
            {
                public string Id => "scale-out";
                public RiskClass Risk { get; } = RiskClass.Medium;
                public ValueTask<ActionOutcome> ExecuteAsync(Decision decision, CancellationToken cancellationToken) => ValueTask.FromResult(ActionOutcome.Success("ok"));
            }
            """;

        await Verify.VerifyAnalyzerAsync(source);
    }

    [Fact]
    public async Task ActionClass_RequiredRisk_DoesNotReport()
    {
        // `required`: every creation must set Risk (CS9035 otherwise), so the risk is always declared, by the creator.
        var source = Usings + """
            public sealed class RestartAction : IRemediationAction
            {
                public string Id => "restart";
                public required RiskClass Risk { get; init; }
                public ValueTask<ActionOutcome> ExecuteAsync(Decision decision, CancellationToken cancellationToken) => ValueTask.FromResult(ActionOutcome.Success("ok"));
            }

            public static class Setup
            {
                public static void Configure(AiopsBuilder aiops) => aiops.AddAction(new RestartAction { Risk = RiskClass.High });
            }
            """;

        await Verify.VerifyAnalyzerAsync(source);
    }

    [Fact]
    public async Task ActionBaseClass_RiskSetByEveryDerivedConstructor_DoesNotReport()
    {
        var source = Usings + """
            public abstract class ActionBase : IRemediationAction
            {
                public abstract string Id { get; }
                public RiskClass Risk { get; protected init; }
                public ValueTask<ActionOutcome> ExecuteAsync(Decision decision, CancellationToken cancellationToken) => ValueTask.FromResult(ActionOutcome.Success("ok"));
            }

            public sealed class RollbackAction : ActionBase
            {
                public RollbackAction() => Risk = RiskClass.High;
                public override string Id => "rollback";
            }
            """;

        await Verify.VerifyAnalyzerAsync(source);
    }

    [Fact]
    public async Task ActionBaseClass_DerivedTypeNeverSetsRisk_ReportsOnTheDerivedType()
    {
        // The abstract base is not reported; each concrete type is judged with its chain: set by its own constructor or
        // by its base's constructor is fine, set nowhere is reported on the type.
        var source = Usings + """
            public abstract class ActionBase : IRemediationAction
            {
                public abstract string Id { get; }
                public RiskClass Risk { get; protected init; }
                public ValueTask<ActionOutcome> ExecuteAsync(Decision decision, CancellationToken cancellationToken) => ValueTask.FromResult(ActionOutcome.Success("ok"));
            }

            public abstract class RiskyActionBase : ActionBase
            {
                protected RiskyActionBase(RiskClass risk) => Risk = risk;
            }

            public sealed class {|#0:FlushAction|} : ActionBase
            {
                public override string Id => "flush";
            }

            public sealed class FailoverAction : RiskyActionBase
            {
                public FailoverAction()
                    : base(RiskClass.High)
                {
                }

                public override string Id => "failover";
            }
            """;

        await Verify.VerifyAnalyzerAsync(source, Verify.Diagnostic().WithLocation(0).WithArguments(
            "FlushAction", "the inherited 'ActionBase.Risk' is never given a value, so it is always Low; set it in the constructor"));
    }
}
