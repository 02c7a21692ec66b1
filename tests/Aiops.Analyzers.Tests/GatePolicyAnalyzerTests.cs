using Verify = Aiops.Analyzers.Tests.Verifiers.CSharpAnalyzerVerifier<Aiops.Analyzers.GatePolicyAnalyzer>;

namespace Aiops.Analyzers.Tests;

public sealed class GatePolicyAnalyzerTests
{
    private const string Usings = """
        using System;
        using System.Threading;
        using System.Threading.Tasks;
        using Aiops.Gates;

        """;

    [Fact]
    public async Task EvaluateAsync_Throws_Reports()
    {
        var source = Usings + """
            public sealed class FreezeGate : IGatePolicy
            {
                public string Name => "freeze";

                public ValueTask<GateDecision> EvaluateAsync(GateContext context, CancellationToken cancellationToken)
                {
                    if (context.Proposal.Confidence < 0.5)
                    {
                        {|#0:throw new InvalidOperationException("too unsure");|}
                    }

                    return ValueTask.FromResult(GateDecision.Allow("ok"));
                }
            }
            """;

        await Verify.VerifyAnalyzerAsync(source, Verify.Diagnostic().WithLocation(0).WithArguments(
            "FreezeGate", "throws InvalidOperationException from EvaluateAsync; return GateDecision.Deny(reason) instead (a thrown exception is a deny without the gate's reason)"));
    }

    [Fact]
    public async Task EvaluateAsync_Blocks_ReportsEachWait()
    {
        var source = Usings + """
            public sealed class LookupGate : IGatePolicy
            {
                public string Name => "lookup";

                public ValueTask<GateDecision> EvaluateAsync(GateContext context, CancellationToken cancellationToken)
                {
                    var frozen = {|#0:IsFrozenAsync().Result|};
                    {|#1:Task.Delay(10).Wait()|};
                    var again = {|#2:IsFrozenAsync().GetAwaiter().GetResult()|};
                    {|#3:Thread.Sleep(1)|};
                    return ValueTask.FromResult(frozen || again ? GateDecision.Deny("frozen") : GateDecision.Allow("open"));
                }

                private static Task<bool> IsFrozenAsync() => Task.FromResult(false);
            }
            """;

        await Verify.VerifyAnalyzerAsync(
            source,
            Verify.Diagnostic().WithLocation(0).WithArguments("LookupGate", "blocks on '.Result' inside EvaluateAsync; await the task instead"),
            Verify.Diagnostic().WithLocation(1).WithArguments("LookupGate", "blocks on '.Wait()' inside EvaluateAsync; await instead (Task.Delay with the context's TimeProvider, or the awaited call)"),
            Verify.Diagnostic().WithLocation(2).WithArguments("LookupGate", "blocks on '.GetAwaiter().GetResult()' inside EvaluateAsync; await instead (Task.Delay with the context's TimeProvider, or the awaited call)"),
            Verify.Diagnostic().WithLocation(3).WithArguments("LookupGate", "blocks on 'Thread.Sleep(...)' inside EvaluateAsync; await instead (Task.Delay with the context's TimeProvider, or the awaited call)"));
    }

    [Fact]
    public async Task EvaluateAsync_DeniesAwaitsAndCancels_DoesNotReport()
    {
        var source = Usings + """
            public sealed class CarefulGate : IGatePolicy
            {
                public string Name => "careful";

                public async ValueTask<GateDecision> EvaluateAsync(GateContext context, CancellationToken cancellationToken)
                {
                    ArgumentNullException.ThrowIfNull(context);
                    if (cancellationToken.IsCancellationRequested)
                    {
                        throw new OperationCanceledException(cancellationToken);
                    }

                    try
                    {
                        return await IsFrozenAsync() ? GateDecision.Deny("frozen") : GateDecision.Allow("open");
                    }
                    catch (TimeoutException)
                    {
                        throw;
                    }
                }

                private static Task<bool> IsFrozenAsync() => Task.FromResult(false);
            }

            public sealed class NotAGate
            {
                public ValueTask<GateDecision> EvaluateAsync(GateContext context, CancellationToken cancellationToken) => throw new NotSupportedException();
            }
            """;

        await Verify.VerifyAnalyzerAsync(source);
    }
}
