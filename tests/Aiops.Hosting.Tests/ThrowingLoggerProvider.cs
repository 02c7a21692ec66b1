using Microsoft.Extensions.Logging;

namespace Aiops.Hosting.Tests;

/// <summary>A logger provider whose loggers throw on the given event ids (as a broken provider may) and log nothing else.</summary>
internal sealed class ThrowingLoggerProvider(params int[] eventIds) : ILoggerProvider
{
    public ILogger CreateLogger(string categoryName) => new ThrowingLogger(eventIds);

    public void Dispose()
    {
    }

    private sealed class ThrowingLogger(int[] eventIds) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Information;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (Array.IndexOf(eventIds, eventId.Id) >= 0)
            {
                throw new InvalidOperationException("the logger provider is broken");
            }
        }
    }
}
