using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Aiops.Gates.Internal;

/// <summary>
/// A logger that never throws. The pipeline logs inside catch blocks and between an action's start and its record: a logger
/// provider that throws there would end a stage's loop or lose an audit record, where it should lose only its log line. One
/// copy of this file is compiled into every Aiops package that logs.
/// </summary>
/// <remarks>What a failing provider refuses is dropped (the failure is the provider's to report). Thread-safe when the inner logger is.</remarks>
internal sealed class NonThrowingLogger : ILogger
{
    private readonly ILogger _inner;

    private NonThrowingLogger(ILogger inner) => _inner = inner;

    /// <summary>Wraps <paramref name="logger"/> (the null logger when it is <see langword="null"/>); a logger that cannot throw is returned as it is.</summary>
    public static ILogger Wrap(ILogger? logger) => logger switch
    {
        null => NullLogger.Instance,
        NullLogger or NonThrowingLogger => logger,
        _ => new NonThrowingLogger(logger),
    };

    /// <inheritdoc />
    public IDisposable? BeginScope<TState>(TState state)
        where TState : notnull
    {
        try
        {
            return _inner.BeginScope(state);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            return null;
        }
    }

    /// <inheritdoc />
    public bool IsEnabled(LogLevel logLevel)
    {
        try
        {
            return _inner.IsEnabled(logLevel);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            return false;
        }
    }

    /// <inheritdoc />
    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        try
        {
            _inner.Log(logLevel, eventId, state, exception, formatter);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            // Dropped: see the remarks.
        }
    }
}
