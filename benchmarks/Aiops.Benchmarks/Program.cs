using Aiops.Benchmarks;
using BenchmarkDotNet.Running;

if (args is ["state"])
{
    StateSizeReport.Print(Console.Out);
    CorrelatorMemoryReport.Print(Console.Out);
    return;
}

if (args is ["fleet-noise"])
{
    FleetNoiseReport.Print(Console.Out);
    return;
}

BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
