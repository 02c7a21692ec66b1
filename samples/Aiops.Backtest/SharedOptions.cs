using System.CommandLine;
using Aiops.Backtest.FalseAlarms;

namespace Aiops.Backtest;

/// <summary>Options more than one command of the backtest CLI defines alike.</summary>
internal static class SharedOptions
{
    /// <summary>Creates <c>--parallelism N</c> (at least 1; default: the processor count).</summary>
    /// <param name="what">What runs in parallel, for the description: "files are scored", "series run".</param>
    /// <returns>The option.</returns>
    public static Option<int> Parallelism(string what)
    {
        var parallelism = new Option<int>("--parallelism")
        {
            Description = $"How many {what} at once.",
            DefaultValueFactory = _ => Environment.ProcessorCount,
        };
        parallelism.Validators.Add(r =>
        {
            if (r.GetValueOrDefault<int>() < 1)
            {
                r.AddError("--parallelism must be at least 1.");
            }
        });
        return parallelism;
    }

    /// <summary>Creates <c>--sampling regular|gaps|irregular</c>: how the healthy series' points are spaced (default: regular).</summary>
    /// <returns>The option.</returns>
    public static Option<Sampling> Sampling() => new("--sampling")
    {
        Description = "How the points are spaced: regular, gaps (1 % of steps are gaps of 20-120 steps) or irregular (log-normal steps and gaps); a daily cycle follows the clock.",
        DefaultValueFactory = _ => FalseAlarms.Sampling.Regular,
    };

    /// <summary>Creates <c>--rate R</c>: the detectors' sensitivity in false onsets per series per week (default 1, the detectors' own).</summary>
    /// <returns>The option.</returns>
    public static Option<double> Rate()
    {
        var rate = new Option<double>("--rate")
        {
            Description = "The detectors' sensitivity: false onsets per series per week they are configured for (FalseAlarmsPerWeek).",
            DefaultValueFactory = _ => 1,
        };
        rate.Validators.Add(r =>
        {
            if (r.GetValueOrDefault<double>() is not (>= 0.001 and <= 100_000))
            {
                r.AddError("--rate must be between 0.001 and 100,000.");
            }
        });
        return rate;
    }
}
