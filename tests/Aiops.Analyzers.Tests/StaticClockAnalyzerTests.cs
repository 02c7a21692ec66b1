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

    // A detector base whose constructor takes a time: `: base(...)` is evaluated before the derived instance exists.
    private const string StampedDetector = """
        public abstract class StampedDetector(DateTime started) : IAnomalyDetector
        {
            public string Name => started.ToString("O");

            public int StateSizeBytes => 8;

            public AnomalyScore Update(DateTimeOffset timestamp, double value) => default;

            public void Reset()
            {
            }
        }

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

    [Fact]
    public async Task DetectorWithTimeProviderField_StaticClockInFieldInitializer_OffersNoFixThatCannotCompile()
    {
        // The fix would write `_time.GetUtcNow().UtcDateTime` into an instance field initializer: CS0236 (a field
        // initializer cannot reference the non-static field '_time'). Reported, but without a replacement.
        var source = Usings + """
            public sealed class StartedDetector : IAnomalyDetector
            {
                private readonly TimeProvider _time = TimeProvider.System;
                private readonly DateTime _started = {|#0:DateTime.UtcNow|};

                public string Name => _started.ToString("O") + _time.GetHashCode();

                public int StateSizeBytes => 8;

                public AnomalyScore Update(DateTimeOffset timestamp, double value) => default;

                public void Reset()
                {
                }
            }
            """;

        await Verify.VerifyCodeFixAsync(source, source, Verify.Diagnostic().WithLocation(0)
            .WithArguments("DateTime.UtcNow", "detector", "StartedDetector", "the point's timestamp or an injected TimeProvider"));
    }

    [Fact]
    public async Task GateWithTimeProvider_StaticClockInStaticLocalFunction_OffersNoFixThatCannotCompile()
    {
        // The fix would write `_time...` into a static local function: CS8422 (a static local function cannot reference 'this').
        var source = Usings + """
            public sealed class HourGate(TimeProvider time) : IGatePolicy
            {
                private readonly TimeProvider _time = time;

                public string Name => "hour";

                public ValueTask<GateDecision> EvaluateAsync(GateContext context, CancellationToken cancellationToken)
                {
                    return ValueTask.FromResult(Hour() < 18 && _time is not null ? GateDecision.Allow("open") : GateDecision.Deny("closed"));

                    static int Hour() => {|#0:DateTime.UtcNow|}.Hour;
                }
            }
            """;

        await Verify.VerifyCodeFixAsync(source, source, Verify.Diagnostic().WithLocation(0)
            .WithArguments("DateTime.UtcNow", "gate", "HourGate", "GateContext.Now or an injected TimeProvider"));
    }

    [Fact]
    public async Task Detector_NameofStaticClock_DoesNotReport()
    {
        // nameof reads no clock.
        var source = Usings + """
            public sealed class NamedDetector : IAnomalyDetector
            {
                public string Name => nameof(DateTime.UtcNow);

                public int StateSizeBytes => 8;

                public AnomalyScore Update(DateTimeOffset timestamp, double value) => default;

                public void Reset()
                {
                }
            }
            """;

        await Verify.VerifyCodeFixAsync(source, source);
    }

    [Fact]
    public async Task GateWithTimeProviderField_StaticClockInLambdaAndLocalFunction_FixUsesTheFieldAndCompiles()
    {
        // A non-static lambda or local function of a class captures `this`: the fix applies, and the fixed code compiles
        // (the verifier fails on compiler errors in the fixed source).
        var source = Usings + """
            public sealed class HourGate(TimeProvider time) : IGatePolicy
            {
                private readonly TimeProvider _time = time;

                public string Name => "hour";

                public ValueTask<GateDecision> EvaluateAsync(GateContext context, CancellationToken cancellationToken)
                {
                    Func<int> minute = () => {|#0:DateTime.UtcNow|}.Minute;
                    return ValueTask.FromResult(Hour() < 18 && minute() < 60 ? GateDecision.Allow("open") : GateDecision.Deny("closed"));

                    int Hour() => {|#1:DateTimeOffset.UtcNow|}.Hour;
                }
            }
            """;
        var fixedSource = Usings + """
            public sealed class HourGate(TimeProvider time) : IGatePolicy
            {
                private readonly TimeProvider _time = time;

                public string Name => "hour";

                public ValueTask<GateDecision> EvaluateAsync(GateContext context, CancellationToken cancellationToken)
                {
                    Func<int> minute = () => _time.GetUtcNow().UtcDateTime.Minute;
                    return ValueTask.FromResult(Hour() < 18 && minute() < 60 ? GateDecision.Allow("open") : GateDecision.Deny("closed"));

                    int Hour() => _time.GetUtcNow().Hour;
                }
            }
            """;

        await Verify.VerifyCodeFixAsync(
            source,
            fixedSource,
            Verify.Diagnostic().WithLocation(0).WithArguments("DateTime.UtcNow", "gate", "HourGate", "'_time.GetUtcNow().UtcDateTime'"),
            Verify.Diagnostic().WithLocation(1).WithArguments("DateTimeOffset.UtcNow", "gate", "HourGate", "'_time.GetUtcNow()'"));
    }

    [Fact]
    public async Task GateWithStaticTimeProvider_StaticClockInStaticLambda_FixUsesTheStaticMemberAndCompiles()
    {
        // A static lambda cannot capture `this` or a parameter, but a static TimeProvider is usable: the fix takes it.
        var source = Usings + """
            public sealed class ClockGate : IGatePolicy
            {
                private static readonly TimeProvider Clock = TimeProvider.System;

                public string Name => "clock";

                public ValueTask<GateDecision> EvaluateAsync(GateContext context, CancellationToken cancellationToken)
                {
                    Func<int> hour = static () => {|#0:DateTime.UtcNow|}.Hour;
                    return ValueTask.FromResult(hour() < 18 ? GateDecision.Allow("open") : GateDecision.Deny("closed"));
                }
            }
            """;
        var fixedSource = Usings + """
            public sealed class ClockGate : IGatePolicy
            {
                private static readonly TimeProvider Clock = TimeProvider.System;

                public string Name => "clock";

                public ValueTask<GateDecision> EvaluateAsync(GateContext context, CancellationToken cancellationToken)
                {
                    Func<int> hour = static () => Clock.GetUtcNow().UtcDateTime.Hour;
                    return ValueTask.FromResult(hour() < 18 ? GateDecision.Allow("open") : GateDecision.Deny("closed"));
                }
            }
            """;

        await Verify.VerifyCodeFixAsync(source, fixedSource, Verify.Diagnostic().WithLocation(0)
            .WithArguments("DateTime.UtcNow", "gate", "ClockGate", "'Clock.GetUtcNow().UtcDateTime'"));
    }

    [Fact]
    public async Task GateWithTimeProviderParameter_StaticClockInStaticLambda_OffersNoFixThatCannotCompile()
    {
        // A static lambda cannot capture the method's TimeProvider parameter (CS8820 for `this`, CS8421-like for the parameter).
        var source = Usings + """
            public sealed class ParameterGate : IGatePolicy
            {
                public string Name => "parameter";

                public ValueTask<GateDecision> EvaluateAsync(GateContext context, CancellationToken cancellationToken) => Evaluate(TimeProvider.System);

                public ValueTask<GateDecision> Evaluate(TimeProvider time)
                {
                    Func<int> hour = static () => {|#0:DateTime.UtcNow|}.Hour;
                    return ValueTask.FromResult(hour() < 18 && time is not null ? GateDecision.Allow("open") : GateDecision.Deny("closed"));
                }
            }
            """;

        await Verify.VerifyCodeFixAsync(source, source, Verify.Diagnostic().WithLocation(0)
            .WithArguments("DateTime.UtcNow", "gate", "ParameterGate", "GateContext.Now or an injected TimeProvider"));
    }

    [Fact]
    public async Task DetectorWithTimeProvider_StaticClockInConstructorInitializer_FixUsesTheParameterAndCompiles()
    {
        // `: base(...)` runs before the instance exists: `_time` would not compile (CS0120), the constructor's parameter does.
        var source = Usings + StampedDetector + """
            public sealed class InjectedDetector : StampedDetector
            {
                private readonly TimeProvider _time;

                public InjectedDetector(TimeProvider time)
                    : base({|#0:DateTime.UtcNow|}) => _time = time;
            }
            """;
        var fixedSource = Usings + StampedDetector + """
            public sealed class InjectedDetector : StampedDetector
            {
                private readonly TimeProvider _time;

                public InjectedDetector(TimeProvider time)
                    : base(time.GetUtcNow().UtcDateTime) => _time = time;
            }
            """;

        await Verify.VerifyCodeFixAsync(source, fixedSource, Verify.Diagnostic().WithLocation(0)
            .WithArguments("DateTime.UtcNow", "detector", "InjectedDetector", "'time.GetUtcNow().UtcDateTime'"));
    }

    [Fact]
    public async Task DetectorWithTimeProviderField_StaticClockInConstructorInitializer_OffersNoFixThatCannotCompile()
    {
        // Only the field is in scope, and `: base(_time...)` cannot compile (CS0120): reported without a replacement.
        var source = Usings + StampedDetector + """
            public sealed class SystemDetector : StampedDetector
            {
                private readonly TimeProvider _time;

                public SystemDetector()
                    : base({|#0:DateTime.UtcNow|}) => _time = TimeProvider.System;

                public TimeProvider Time => _time;
            }
            """;

        await Verify.VerifyCodeFixAsync(source, source, Verify.Diagnostic().WithLocation(0)
            .WithArguments("DateTime.UtcNow", "detector", "SystemDetector", "the point's timestamp or an injected TimeProvider"));
    }
}
