namespace Aiops.Lab;

/// <summary>A loop on the thread pool that runs until disposed: disposing cancels it and waits for it to end.</summary>
internal sealed class BackgroundLoop : IAsyncDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;

    public BackgroundLoop(Func<CancellationToken, Task> body) => _loop = Task.Run(() => body(_stop.Token));

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        try
        {
            await _loop.ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // The loop's way of ending.
        }

        _stop.Dispose();
    }
}
