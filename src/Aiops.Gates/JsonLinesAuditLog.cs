using System.Buffers;
using System.Collections.Concurrent;
using System.ComponentModel.DataAnnotations;
using System.Runtime.CompilerServices;
using System.Text.Json;
using Aiops.Gates.Serialization;
using Microsoft.Win32.SafeHandles;

namespace Aiops.Gates;

/// <summary>
/// A durable <see cref="IAuditLog"/>: an append-only JSON Lines file (<see cref="JsonLinesAuditLogOptions.Path"/>), one
/// <see cref="AuditEntry"/> per line with its <c>"type"</c> discriminator, written with <see cref="GatesJson"/>. A person reads
/// it with <c>tail</c> or <c>jq</c>; a program replays it with <see cref="ReadAllAsync"/>. The file is never rewritten, compacted
/// or rotated by this class.
/// </summary>
/// <remarks>
/// <para>
/// Create it with <see cref="OpenAsync"/> (or <see cref="Open"/> where only a synchronous factory fits, such as a dependency
/// injection registration). Opening reads only the last byte of the file: when the file does not end with a newline (a crash
/// mid-write), a newline is appended so that the next entry starts on a line of its own and the torn line stays a single
/// line that reads skip. The file is held open exclusively (<see cref="FileShare.None"/>; on Unix an advisory <c>flock</c>), so
/// a second log on the same file, in this process or another, fails to open with an <see cref="IOException"/>; tools that do
/// not lock (<c>tail</c>, <c>cat</c>, <c>jq</c>) can still read it.
/// </para>
/// <para>
/// <see cref="AppendAsync"/> serialises the entry on the caller's thread, then writes its line and, with
/// <see cref="JsonLinesAuditLogOptions.FlushToDisk"/>, waits for the disk (fsync) before it completes: an entry is durable before
/// it is reported as appended, so a process killed at any point loses no acknowledged entry (a power loss none either with
/// <see cref="JsonLinesAuditLogOptions.FlushToDisk"/>; without it, only a process crash is covered). Appends are serialised and
/// committed in groups: appenders that arrive while a write is in progress are written together by the next one in a single
/// write and a single fsync, and each completes only after that fsync, so concurrent appenders share the cost of the disk.
/// Lines are appended in the order their appenders reach the queue. The write and the fsync are synchronous system calls (there
/// is no asynchronous fsync); they block the thread of the appender that performs them, one at a time. A write that fails fails
/// every entry of its group, and whatever it wrote is cut off again (at once, or before the next write if that fails too), so
/// the file never holds a partial group between complete ones.
/// </para>
/// <para>
/// <see cref="ReadAllAsync"/> streams the entries that were durable when it was called, oldest first, concurrently with appends.
/// A torn line or any line that is not a valid entry (garbage, an unknown <c>"type"</c>, a line longer than
/// <see cref="MaxLineLength"/>) is skipped and counted in <see cref="CorruptLinesSkipped"/>, never an exception; blank lines are
/// skipped silently. A complete last line without its newline is read as usual.
/// </para>
/// <para>
/// Thread-safe. Disposing waits for a write in progress, then closes the file; appends and new reads throw
/// <see cref="ObjectDisposedException"/> afterwards, and so does a read in progress when it next reads from the file.
/// </para>
/// </remarks>
public sealed class JsonLinesAuditLog : IAuditLog, IAsyncDisposable, IDisposable
{
    /// <summary>
    /// The longest line, in UTF-8 bytes with its newline, that <see cref="AppendAsync"/> writes and <see cref="ReadAllAsync"/>
    /// reads: 16 MiB. Longer entries are refused; longer lines in the file are skipped as corrupt.
    /// </summary>
    public const int MaxLineLength = 16 * 1024 * 1024;

    private const int ReadBufferSize = 64 * 1024;

    /// <summary>A group commit stops taking entries once it holds this many bytes (it always takes at least one).</summary>
    private const int MaxBatchBytes = 1024 * 1024;

    private const int InitialBatchCapacity = 16 * 1024;
    private const byte NewLine = (byte)'\n';
    private static ReadOnlySpan<byte> NewLineBytes => "\n"u8;
    private static ReadOnlySpan<byte> ByteOrderMark => [0xEF, 0xBB, 0xBF];

    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly ConcurrentQueue<PendingAppend> _queue = new();
    private readonly List<PendingAppend> _group = [];
    private readonly Lock _corruptLock = new();
    private readonly bool _flushToDisk;
    private readonly SafeFileHandle _handle;
    private ArrayBufferWriter<byte> _batch = new(InitialBatchCapacity);
    private long _length;
    private bool _tailDirty;
    private long _appended;
    private long _commits;
    private long _corruptLines;
    private long _corruptCountedFrom;
    private volatile bool _disposed;

    private JsonLinesAuditLog(JsonLinesAuditLogOptions options, string filePath, SafeFileHandle handle, long length)
    {
        FilePath = filePath;
        _flushToDisk = options.FlushToDisk;
        _handle = handle;
        _length = length;
    }

    /// <summary>Gets the full path of the audit file.</summary>
    public string FilePath { get; }

    /// <summary>
    /// Gets how many lines reads have skipped because they were torn or not a valid entry; a line counts once however often it
    /// is read. The file is not parsed when it is opened, so this counts only what <see cref="ReadAllAsync"/> has reached. Thread-safe.
    /// </summary>
    public long CorruptLinesSkipped => Interlocked.Read(ref _corruptLines);

    /// <summary>Gets how many entries were appended since the log was opened. Thread-safe.</summary>
    public long AppendedCount => Interlocked.Read(ref _appended);

    /// <summary>
    /// Gets how many writes (each followed by an fsync with <see cref="JsonLinesAuditLogOptions.FlushToDisk"/>) the appends took
    /// since the log was opened; lower than <see cref="AppendedCount"/> when concurrent appends were committed together. Thread-safe.
    /// </summary>
    public long CommitCount => Interlocked.Read(ref _commits);

    /// <summary>Opens (or creates) the audit file <see cref="JsonLinesAuditLogOptions.Path"/>, synchronously.</summary>
    /// <param name="options">The options; read once.</param>
    /// <returns>The open log; dispose it to close the file.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="options"/> is <see langword="null"/>.</exception>
    /// <exception cref="ValidationException">An option is missing or out of range.</exception>
    /// <exception cref="IOException">The file cannot be opened, for example because another log holds it, or its torn tail cannot be repaired.</exception>
    /// <exception cref="UnauthorizedAccessException">The directory or file is not accessible.</exception>
    public static JsonLinesAuditLog Open(JsonLinesAuditLogOptions options)
    {
        // With async: false every step completes synchronously; AsTask keeps this correct even if one did not.
        return OpenCoreAsync(options, async: false, CancellationToken.None).AsTask().GetAwaiter().GetResult();
    }

    /// <summary>Opens (or creates) the audit file <see cref="JsonLinesAuditLogOptions.Path"/>.</summary>
    /// <param name="options">The options; read once.</param>
    /// <param name="cancellationToken">Cancels opening; the file is closed again.</param>
    /// <returns>The open log; dispose it to close the file.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="options"/> is <see langword="null"/>.</exception>
    /// <exception cref="ValidationException">An option is missing or out of range.</exception>
    /// <exception cref="IOException">The file cannot be opened, for example because another log holds it, or its torn tail cannot be repaired.</exception>
    /// <exception cref="UnauthorizedAccessException">The directory or file is not accessible.</exception>
    public static async Task<JsonLinesAuditLog> OpenAsync(JsonLinesAuditLogOptions options, CancellationToken cancellationToken = default) =>
        await OpenCoreAsync(options, async: true, cancellationToken).ConfigureAwait(false);

    /// <inheritdoc/>
    /// <remarks>
    /// Completes once the entry's line is written and, with <see cref="JsonLinesAuditLogOptions.FlushToDisk"/>, on the disk;
    /// possibly together with other entries (see the class remarks). Once its group is being written,
    /// <paramref name="cancellationToken"/> no longer cancels it, so an entry is written whole or not at all.
    /// </remarks>
    /// <exception cref="ArgumentNullException"><paramref name="entry"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException"><paramref name="entry"/> holds a <see langword="null"/> list, list item or dictionary value, or its line would be longer than <see cref="MaxLineLength"/>.</exception>
    /// <exception cref="JsonException"><paramref name="entry"/> holds a <see langword="null"/> where the model allows none.</exception>
    /// <exception cref="NotSupportedException"><paramref name="entry"/> is of a type the contract does not know.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled before the entry was taken for writing; it was not written.</exception>
    /// <exception cref="IOException">The line could not be written or flushed; the file is as before.</exception>
    /// <exception cref="ObjectDisposedException">The log was disposed.</exception>
    public async ValueTask AppendAsync(AuditEntry entry, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(entry);
        cancellationToken.ThrowIfCancellationRequested();
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (!IsWellFormed(entry))
        {
            throw new ArgumentException("The entry holds a null list, list item or dictionary value; it could not be read back.", nameof(entry));
        }

        var json = JsonSerializer.SerializeToUtf8Bytes(entry, GatesJsonContext.Default.AuditEntry);
        if (json.Length >= MaxLineLength)
        {
            throw new ArgumentException($"The entry serialises to {json.Length} bytes; a line holds at most {MaxLineLength} with its newline.", nameof(entry));
        }

        var pending = new PendingAppend(json);
        _queue.Enqueue(pending);
        try
        {
            await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            if (pending.TryWithdraw())
            {
                throw;
            }

            // A group commit already took the entry: its outcome is the entry's.
            await pending.Task.ConfigureAwait(false);
            return;
        }

        try
        {
            ObjectDisposedException.ThrowIf(_disposed && pending.TryWithdraw(), this);

            // Another appender's group commit may have written this entry while this one waited.
            while (!pending.Task.IsCompleted)
            {
                CommitGroup(pending);
            }
        }
        finally
        {
            _gate.Release();
        }

        await pending.Task.ConfigureAwait(false);
    }

    /// <inheritdoc/>
    /// <remarks>
    /// Streams the entries that were durable when the enumeration started, oldest first, reading the file in chunks; entries
    /// appended later are not included. Torn and invalid lines are skipped and counted in <see cref="CorruptLinesSkipped"/>.
    /// </remarks>
    /// <exception cref="ObjectDisposedException">The log was disposed (also while reading).</exception>
    public async IAsyncEnumerable<AuditEntry> ReadAllAsync([EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        var end = Volatile.Read(ref _length);
        var buffer = ArrayPool<byte>.Shared.Rent(ReadBufferSize);
        try
        {
            long bufferOffset = 0; // The file offset of buffer[0].
            int start = 0, filled = 0, scanned = 0;
            var discarding = false; // Inside a line longer than MaxLineLength: skip to its newline.
            while (true)
            {
                if (filled == buffer.Length)
                {
                    if (start > 0)
                    {
                        buffer.AsSpan(start, filled - start).CopyTo(buffer);
                        (bufferOffset, filled, scanned, start) = (bufferOffset + start, filled - start, scanned - start, 0);
                    }
                    else if (discarding || buffer.Length >= MaxLineLength)
                    {
                        if (!discarding)
                        {
                            CountCorrupt(bufferOffset);
                            discarding = true;
                        }

                        (bufferOffset, filled, scanned) = (bufferOffset + filled, 0, 0);
                    }
                    else
                    {
                        // One line longer than the buffer: grow it.
                        var larger = ArrayPool<byte>.Shared.Rent(Math.Min(buffer.Length * 2, MaxLineLength));
                        buffer.AsSpan(0, filled).CopyTo(larger);
                        ArrayPool<byte>.Shared.Return(buffer);
                        buffer = larger;
                    }
                }

                var wanted = (int)Math.Min(buffer.Length - filled, end - (bufferOffset + filled));
                if (wanted <= 0)
                {
                    break;
                }

                var read = await RandomAccess.ReadAsync(_handle, buffer.AsMemory(filled, wanted), bufferOffset + filled, cancellationToken).ConfigureAwait(false);
                if (read == 0)
                {
                    break;
                }

                filled += read;
                while (true)
                {
                    var newline = buffer.AsSpan(scanned, filled - scanned).IndexOf(NewLine);
                    if (newline < 0)
                    {
                        scanned = filled;
                        break;
                    }

                    var lineEnd = scanned + newline;
                    var lineOffset = bufferOffset + start;
                    var lineStart = start;
                    start = scanned = lineEnd + 1;
                    if (discarding)
                    {
                        discarding = false;
                        continue;
                    }

                    var entry = ParseLine(buffer.AsSpan(lineStart, lineEnd - lineStart), lineOffset);
                    if (entry is not null)
                    {
                        yield return entry;
                    }
                }
            }

            if (start < filled && !discarding)
            {
                // A last line without its newline (only possible if the file changed behind the log's back).
                var entry = ParseLine(buffer.AsSpan(start, filled - start), bufferOffset + start);
                if (entry is not null)
                {
                    yield return entry;
                }
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>Waits for a write in progress, then closes the file. Idempotent.</summary>
    /// <returns>A task that completes when the file is closed.</returns>
    public async ValueTask DisposeAsync()
    {
        await _gate.WaitAsync().ConfigureAwait(false);
        try
        {
            DisposeCore();
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>Waits for a write in progress, then closes the file. Idempotent.</summary>
    public void Dispose()
    {
        _gate.Wait();
        try
        {
            DisposeCore();
        }
        finally
        {
            _gate.Release();
        }
    }

    private void DisposeCore()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        _handle.Dispose();
    }

    private static async ValueTask<JsonLinesAuditLog> OpenCoreAsync(JsonLinesAuditLogOptions options, bool async, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        cancellationToken.ThrowIfCancellationRequested();
        var path = Path.GetFullPath(options.Path);
        var directory = Path.GetDirectoryName(path);
        if (!string.IsNullOrEmpty(directory))
        {
            Directory.CreateDirectory(directory);
        }

        var handle = File.OpenHandle(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
        try
        {
            var length = RandomAccess.GetLength(handle);
            if (length > 0)
            {
                var last = new byte[1];
                var read = async
                    ? await RandomAccess.ReadAsync(handle, last, length - 1, cancellationToken).ConfigureAwait(false)
                    : RandomAccess.Read(handle, last, length - 1);
                if (read != 1 || last[0] != NewLine)
                {
                    // The last line has no newline: a crash mid-write. Terminate it, so that the next append starts on a line of
                    // its own instead of extending the broken one; reads skip it (or read it, if it is complete but for the newline).
                    byte[] newLine = [NewLine];
                    if (async)
                    {
                        await RandomAccess.WriteAsync(handle, newLine, length, cancellationToken).ConfigureAwait(false);
                    }
                    else
                    {
                        RandomAccess.Write(handle, newLine, length);
                    }

                    length++;
                    if (options.FlushToDisk)
                    {
                        RandomAccess.FlushToDisk(handle);
                    }
                }
            }

            return new JsonLinesAuditLog(options, path, handle, length);
        }
        catch
        {
            handle.Dispose();
            throw;
        }
    }

    /// <summary>Takes queued entries (in queue order, up to <see cref="MaxBatchBytes"/>), writes them in one write and one fsync, and completes them. Called under the gate.</summary>
    private void CommitGroup(PendingAppend own)
    {
        _group.Clear();
        _batch.ResetWrittenCount();
        while (_batch.WrittenCount < MaxBatchBytes && _queue.TryDequeue(out var next))
        {
            if (next.TryTake())
            {
                _group.Add(next);
                _batch.Write(next.Json);
                _batch.Write(NewLineBytes);
            }
        }

        if (_group.Count == 0)
        {
            // Unreachable: the caller's own entry is queued until a group takes it, and only the gate holder takes groups.
            own.TrySetException(new InvalidOperationException("The audit entry was lost from the append queue."));
            return;
        }

        try
        {
            Write(_batch.WrittenSpan);
        }
        catch (Exception e)
        {
            foreach (var pending in _group)
            {
                pending.TrySetException(e);
            }

            _group.Clear();
            return;
        }

        Interlocked.Add(ref _appended, _group.Count);
        Interlocked.Increment(ref _commits);
        foreach (var pending in _group)
        {
            pending.TrySetResult();
        }

        _group.Clear();
        if (_batch.Capacity > 4 * MaxBatchBytes)
        {
            // One huge entry grew the buffer: let it go.
            _batch = new ArrayBufferWriter<byte>(InitialBatchCapacity);
        }
    }

    /// <summary>Appends bytes at the end of the committed lines and flushes them; publishes the new length only then.</summary>
    private void Write(ReadOnlySpan<byte> bytes)
    {
        var length = _length;
        try
        {
            if (_tailDirty)
            {
                // An earlier write failed part-way: drop what it left behind.
                RandomAccess.SetLength(_handle, length);
                _tailDirty = false;
            }

            RandomAccess.Write(_handle, bytes, length);
            if (_flushToDisk)
            {
                RandomAccess.FlushToDisk(_handle);
            }
        }
        catch
        {
            // Cut off what the failed write may have left, now rather than at the next write, so that entries reported as failed
            // do not reappear after a restart; if that fails too, the next write retries first.
            _tailDirty = true;
            TryCutTail(length);
            throw;
        }

        Volatile.Write(ref _length, length + bytes.Length);
    }

    private void TryCutTail(long length)
    {
        try
        {
            RandomAccess.SetLength(_handle, length);
            _tailDirty = false;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ObjectDisposedException)
        {
            // The next write retries.
        }
    }

    private AuditEntry? ParseLine(ReadOnlySpan<byte> line, long offset)
    {
        if (offset == 0 && line.StartsWith(ByteOrderMark))
        {
            line = line[ByteOrderMark.Length..];
        }

        if (line.Trim(" \t\r"u8).IsEmpty)
        {
            return null;
        }

        AuditEntry? entry;
        try
        {
            entry = JsonSerializer.Deserialize(line, GatesJsonContext.Default.AuditEntry);
        }
        catch (Exception e) when (e is JsonException or NotSupportedException or InvalidOperationException or ArgumentException or FormatException or OverflowException)
        {
            entry = null;
        }

        if (entry is not null && IsWellFormed(entry))
        {
            return entry;
        }

        CountCorrupt(offset);
        return null;
    }

    /// <summary>Counts a corrupt line once: every read visits lines in file order, so a line before the last one counted was counted.</summary>
    private void CountCorrupt(long offset)
    {
        lock (_corruptLock)
        {
            if (offset >= _corruptCountedFrom)
            {
                Interlocked.Increment(ref _corruptLines);
                _corruptCountedFrom = offset + 1;
            }
        }
    }

    /// <summary>Checks what the serializer does not: no <see langword="null"/> list items or dictionary values, anywhere.</summary>
    private static bool IsWellFormed(AuditEntry entry) => entry switch
    {
        DecisionEntry { Decision: { } decision } => IsWellFormed(decision),
        ApprovalEntry { Approval: not null } => true,
        ExecutionEntry { Execution: not null } => true,
        DecisionEntry or ApprovalEntry or ExecutionEntry => false,
        _ => true, // A type the contract does not know: the serializer refuses it (reads never produce one).
    };

    private static bool IsWellFormed(Decision decision)
    {
        var proposal = decision.Proposal;
        if (proposal is null || decision.Evaluations is null
            || !NoNulls(proposal.Targets) || !NoNulls(proposal.Evidence) || !NoNullValues(proposal.Labels))
        {
            return false;
        }

        foreach (var evaluation in decision.Evaluations)
        {
            if (evaluation is null || (evaluation.Data is not null && !NoNullValues(evaluation.Data)))
            {
                return false;
            }
        }

        return true;
    }

    private static bool NoNulls(IReadOnlyList<string>? items)
    {
        if (items is null)
        {
            return false;
        }

        foreach (var item in items)
        {
            if (item is null)
            {
                return false;
            }
        }

        return true;
    }

    private static bool NoNullValues(IReadOnlyDictionary<string, string>? items)
    {
        if (items is null)
        {
            return false;
        }

        foreach (var item in items)
        {
            if (item.Key is null || item.Value is null)
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>An entry waiting for a group commit; completes when its group is durable.</summary>
    private sealed class PendingAppend(byte[] json) : TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)
    {
        private const int Queued = 0;
        private const int Taken = 1;
        private const int Withdrawn = 2;
        private int _state;

        public byte[] Json { get; } = json;

        /// <summary>A group commit claims the entry; fails if its appender withdrew it.</summary>
        public bool TryTake() => Interlocked.CompareExchange(ref _state, Taken, Queued) == Queued;

        /// <summary>The appender gives up (cancelled, or the log is disposed); fails if a group commit already claimed it.</summary>
        public bool TryWithdraw() => Interlocked.CompareExchange(ref _state, Withdrawn, Queued) == Queued;
    }
}

/// <summary>Options of <see cref="JsonLinesAuditLog"/>. Read once when the log is opened.</summary>
public sealed class JsonLinesAuditLogOptions
{
    /// <summary>
    /// Gets or sets the path of the audit file (for example <c>/var/lib/aiops/audit.jsonl</c>); the file and its directory are
    /// created when missing, a relative path resolves against the current directory. Required; no default.
    /// </summary>
    [Required]
    public string Path { get; set; } = string.Empty;

    /// <summary>
    /// Gets or sets whether an append waits until its line is on the disk (fsync, <see cref="RandomAccess.FlushToDisk"/>) rather
    /// than handed to the operating system, which survives a process crash but not a power loss or a kernel crash. Default:
    /// <see langword="true"/>. Only the file's content is flushed, not the directory entry of a newly created file.
    /// </summary>
    public bool FlushToDisk { get; set; } = true;

    /// <summary>Checks every property against its documented range.</summary>
    /// <exception cref="ValidationException">A value is missing or out of range; the message names the option and the property.</exception>
    public void Validate() => Aiops.Detection.Internal.OptionsValidator.ThrowIfInvalid(this);
}
