namespace Aiops.Backtest;

/// <summary>The process exit codes of the backtest CLI.</summary>
internal static class ExitCodes
{
    /// <summary>Everything was processed.</summary>
    public const int Success = 0;

    /// <summary>At least one input file was bad or could not be processed; the others were still processed.</summary>
    public const int DataError = 1;

    /// <summary>The command line was wrong: unknown option or detector, missing file or directory.</summary>
    public const int UsageError = 2;
}
