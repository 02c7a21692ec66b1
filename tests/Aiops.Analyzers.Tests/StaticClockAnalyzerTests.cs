using Verify = Aiops.Analyzers.Tests.Verifiers.CSharpCodeFixVerifier<Aiops.Analyzers.StaticClockAnalyzer, Aiops.Analyzers.StaticClockCodeFix>;

namespace Aiops.Analyzers.Tests;

public sealed class StaticClockAnalyzerTests
{
    private const string Usings = """
        using System;
        using System.Threading;
        using System.Threading.Tasks;
        using Aiops.Detection;
        using Aiops.Gates;

        """;

    [Fact]
    public async Task GateWithTimeProvider_StaticClockAndDelay_ReportsAndUsesTheProvider()
    {
        var source = Usings + """
            public sealed class BusinessHoursGate(TimeProvider time) : IGatePolicy
            {
                private readonly TimeProvider _time = time;

                public string Name => "business-hours";

                public async ValueTask<GateDecision> EvaluateAsync(GateContext context, CancellationToken cancellationToken)
                {
                    await {|#0:Task.Delay(TimeSpan.FromMilliseconds(5), cancellationToken)|};
                    var hour = {|#1:DateTime.UtcNow|}.Hour;
                    var offset = {|#2:DateTimeOffset.UtcNow|};
                    return hour is >= 8 and < 18 && offset > context.Now.AddDays(-1) ? GateDecision.Allow("open") : GateDecision.Deny("closed");
                }
            }
            """;
        var fixedSource = Usings + """
            public sealed class BusinessHoursGate(TimeProvider time) : IGatePolicy
            {
                private readonly TimeProvider _time = time;

                public string Name => "business-hours";

                public async ValueTask<GateDecision> EvaluateAsync(GateContext context, CancellationToken cancellationToken)
                {
                    await Task.Delay(TimeSpan.FromMilliseconds(5), _time, cancellationToken);
                    var hour = _time.GetUtcNow().UtcDateTime.Hour;
                    var offset = _time.GetUtcNow();
                    return hour is >= 8 and < 18 && offset > context.Now.AddDays(-1) ? GateDecision.Allow("open") : GateDecision.Deny("closed");
                }
            }
            """;

        await Verify.VerifyCodeFixAsync(
            source,
            fixedSource,
            Verify.Diagnostic().WithLocation(0).WithArguments("Task.Delay", "gate", "BusinessHoursGate", "'Task.Delay(TimeSpan.FromMilliseconds(5), _time, cancellationToken)'"),
            Verify.Diagnostic().WithLocation(1).WithArguments("DateTime.UtcNow", "gate", "BusinessHoursGate", "'_time.GetUtcNow().UtcDateTime'"),
            Verify.Diagnostic().WithLocation(2).WithArguments("DateTimeOffset.UtcNow", "gate", "BusinessHoursGate", "'_time.GetUtcNow()'"));
    }

    [Fact]
    public async Task DetectorWithoutTimeProvider_DateTimeNow_ReportsWithoutFix()
    {
        var source = Usings + """
            public sealed class WallClockDetector : IAnomalyDetector
            {
                private DateTime _last;

                public string Name => "wall-clock";

                public int StateSizeBytes => 8;

                public AnomalyScore Update(DateTimeOffset timestamp, double value)
                {
                    _last = {|#0:DateTime.Now|};
                    return default;
                }

                public void Reset() => _last = default;
            }
            """;

        await Verify.VerifyCodeFixAsync(source, source, Verify.Diagnostic().WithLocation(0)
            .WithArguments("DateTime.Now", "detector", "WallClockDetector", "the point's timestamp or an injected TimeProvider"));
    }

    [Fact]
    public async Task OrdinaryClass_StaticClock_DoesNotReport()
    {
        var source = Usings + """
            public sealed class Report
            {
                public DateTime Created { get; } = DateTime.UtcNow;

                public Task WaitAsync() => Task.Delay(TimeSpan.FromSeconds(1));
            }

            public sealed class PatientGate(TimeProvider time) : IGatePolicy
            {
                public string Name => "patient";

                public async ValueTask<GateDecision> EvaluateAsync(GateContext context, CancellationToken cancellationToken)
                {
                    await Task.Delay(TimeSpan.FromMilliseconds(5), time, cancellationToken);
                    return context.Now.Hour < 18 ? GateDecision.Allow("open") : GateDecision.Deny("closed");
                }
            }
            """;

        await Verify.VerifyCodeFixAsync(source, source);
    }
}
