using System.Runtime.CompilerServices;

namespace Aiops.Gates;

/// <summary>
/// An <see cref="IAuditLog"/> held in memory: for tests, samples and hosts that accept losing the trail at a restart (it is
/// "durable" only for the life of the process). Use the JSON-lines log where decisions must survive a crash.
/// </summary>
/// <remarks>Thread-safe: appends and reads take one lock; <see cref="ReadAllAsync"/> enumerates a snapshot.</remarks>
public sealed class InMemoryAuditLog : IAuditLog
{
    private readonly Lock _gate = new();
    private readonly List<AuditEntry> _entries = [];

    /// <summary>Initializes a new instance of the <see cref="InMemoryAuditLog"/> class.</summary>
    /// <param name="entries">Entries already in the log (for example those of a previous run, for a restore); <see langword="null"/> starts empty.</param>
    /// <exception cref="ArgumentException">An entry is <see langword="null"/>.</exception>
    public InMemoryAuditLog(IEnumerable<AuditEntry>? entries = null)
    {
        foreach (var entry in entries ?? [])
        {
            _entries.Add(entry ?? throw new ArgumentException("An entry is null.", nameof(entries)));
        }
    }

    /// <summary>Gets a snapshot of the entries, oldest first.</summary>
    public IReadOnlyList<AuditEntry> Entries
    {
        get
        {
            lock (_gate)
            {
                return [.. _entries];
            }
        }
    }

    /// <summary>Gets the number of entries.</summary>
    public int Count
    {
        get
        {
            lock (_gate)
            {
                return _entries.Count;
            }
        }
    }

    /// <inheritdoc/>
    /// <exception cref="ArgumentNullException"><paramref name="entry"/> is <see langword="null"/>.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled before the append.</exception>
    public ValueTask AppendAsync(AuditEntry entry, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(entry);
        if (cancellationToken.IsCancellationRequested)
        {
            return ValueTask.FromCanceled(cancellationToken);
        }

        lock (_gate)
        {
            _entries.Add(entry);
        }

        return ValueTask.CompletedTask;
    }

    /// <inheritdoc/>
    public async IAsyncEnumerable<AuditEntry> ReadAllAsync([EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        foreach (var entry in Entries)
        {
            cancellationToken.ThrowIfCancellationRequested();
            yield return entry;
        }

        await Task.CompletedTask.ConfigureAwait(false);
    }
}
