using Verify = Aiops.Analyzers.Tests.Verifiers.CSharpAnalyzerVerifier<Aiops.Analyzers.OptionRangeAnalyzer>;

namespace Aiops.Analyzers.Tests;

public sealed class OptionRangeAnalyzerTests
{
    private const string Usings = """
        using System;
        using Aiops.Hosting;
        using Microsoft.Extensions.DependencyInjection;

        """;

    [Fact]
    public async Task AddAiops_ConstantsOutOfRange_ReportsEach()
    {
        var source = Usings + """
            public static class Setup
            {
                public static void Configure(IServiceCollection services) => services.AddAiops(aiops => aiops
                    .AddMeterSource(o =>
                    {
                        o.Meters.Add("Shop.Checkout");
                        o.CollectInterval = {|#0:TimeSpan.FromMilliseconds(1)|};
                        o.HistogramQuantile = {|#1:1.5|};
                        o.MaxSeries = {|#2:0|};
                    })
                    .AddPrometheusSource(o => o.Step = {|#3:new TimeSpan(2, 0, 0)|})
                    .ConfigureRemediation(o => o.ApprovalPollInterval = {|#4:TimeSpan.Zero|}));
            }
            """;

        await Verify.VerifyAnalyzerAsync(
            source,
            Verify.Diagnostic().WithLocation(0).WithArguments("MeterSourceOptions.CollectInterval", "TimeSpan.FromMilliseconds(1)", "[00:00:00.010, 01:00:00]"),
            Verify.Diagnostic().WithLocation(1).WithArguments("MeterSourceOptions.HistogramQuantile", "1.5", "[0, 1]"),
            Verify.Diagnostic().WithLocation(2).WithArguments("MeterSourceOptions.MaxSeries", "0", "[1, 10000000]"),
            Verify.Diagnostic().WithLocation(3).WithArguments("PrometheusSourceOptions.Step", "new TimeSpan(2, 0, 0)", "[00:00:01, 01:00:00]"),
            Verify.Diagnostic().WithLocation(4).WithArguments("RemediationOptions.ApprovalPollInterval", "TimeSpan.Zero", "[00:00:00.010, 01:00:00]"));
    }

    [Fact]
    public async Task ConfigureOfAiopsOptions_ConstantOutOfRange_Reports()
    {
        var source = Usings + """
            public static class Setup
            {
                public static void Configure(IServiceCollection services) =>
                    services.Configure<AiopsOptions>(o => o.Channels.SampleCapacity = {|#0:-1|});
            }
            """;

        await Verify.VerifyAnalyzerAsync(source, Verify.Diagnostic().WithLocation(0).WithArguments("PipelineChannelOptions.SampleCapacity", "-1", "[1, 10000000]"));
    }

    [Fact]
    public async Task AddAiops_ValuesInRangeOrNotConstant_DoesNotReport()
    {
        var source = Usings + """
            public static class Setup
            {
                public static void Configure(IServiceCollection services, int fromConfig)
                {
                    services.AddAiops(aiops => aiops.AddMeterSource(o =>
                    {
                        o.CollectInterval = TimeSpan.FromSeconds(10);
                        o.HistogramQuantile = 0.95;
                        o.MaxSeries = fromConfig;
                        o.HistogramReservoirSize = 1 << 20;
                    }));

                    // Outside Aiops configuration the rule stays quiet (the options may be a test's deliberate bad input).
                    var options = new MeterSourceOptions { MaxSeries = 0 };
                }
            }
            """;

        await Verify.VerifyAnalyzerAsync(source);
    }
}
