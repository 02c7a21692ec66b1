using System.Buffers;
using System.ComponentModel.DataAnnotations;
using System.Text.Json;
using Aiops.Correlation.Serialization;

namespace Aiops.Correlation;

/// <summary>
/// A durable <see cref="IEpisodeStore"/>: an append-only JSON Lines file (<see cref="FileName"/>, one <see cref="Episode"/>
/// snapshot per line, written with <see cref="CorrelationJson"/>) in the directory <see cref="FileEpisodeStoreOptions.Path"/>,
/// replayed on open into an <see cref="InMemoryEpisodeStore"/> that serves the reads. Episodes survive restarts; the same
/// bounded history of closed episodes as <see cref="InMemoryEpisodeStore"/> applies.
/// </summary>
/// <remarks>
/// <para>
/// Create it with <see cref="OpenAsync"/> (or <see cref="Open"/> where only a synchronous factory fits, such as a dependency
/// injection registration): opening replays the file, which is I/O a constructor should not do. Opening keeps the latest
/// snapshot (the last line) per id; a torn last line (a crash mid-write) or any line that is not a valid episode is skipped and
/// counted in <see cref="CorruptLinesSkipped"/>, never an exception that prevents startup. The file is held open exclusively
/// (<see cref="FileShare.None"/>; on Unix an advisory <c>flock</c>), so a second store on the same directory, in this process or
/// another, fails to open with an <see cref="IOException"/>; so does another <see cref="FileStream"/> on the file, while tools
/// that do not lock (<c>tail</c>, <c>cat</c>) can still read it.
/// </para>
/// <para>
/// <see cref="SaveAsync"/> appends one line and flushes it to the operating system before it completes, and with
/// <see cref="FileEpisodeStoreOptions.FlushToDisk"/> to the disk (fsync); only then does the snapshot become visible to reads.
/// A save that fails leaves neither the file nor the reads changed. When the file holds more than
/// <see cref="FileEpisodeStoreOptions.CompactionFactor"/> lines per held episode and at least
/// <see cref="FileEpisodeStoreOptions.CompactionMinimumLines"/> lines, the save rewrites it with one line per held episode
/// into a temporary file that atomically replaces it; evicted episodes and corrupt lines are dropped then. A failed automatic
/// compaction does not fail the save; it is retried after <see cref="FileEpisodeStoreOptions.CompactionMinimumLines"/> more lines.
/// </para>
/// <para>
/// Thread-safe: saves, compactions and disposal are serialised by a <see cref="SemaphoreSlim"/>; reads are served from memory
/// concurrently with them. Disposing closes the file; reads keep answering from memory afterwards, saves throw
/// <see cref="ObjectDisposedException"/>.
/// </para>
/// </remarks>
public sealed class FileEpisodeStore : IEpisodeStore, IAsyncDisposable, IDisposable
{
    /// <summary>The name of the episode file inside <see cref="FileEpisodeStoreOptions.Path"/>: <c>episodes.jsonl</c>.</summary>
    public const string FileName = "episodes.jsonl";

    private const string CompactionSuffix = ".compacting";
    private const int ReadBufferSize = 64 * 1024;
    private static ReadOnlySpan<byte> NewLine => "\n"u8;
    private static ReadOnlySpan<byte> ByteOrderMark => [0xEF, 0xBB, 0xBF];

    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly InMemoryEpisodeStore _memory;
    private readonly ArrayBufferWriter<byte> _line = new(4096);
    private readonly Utf8JsonWriter _writer;
    private readonly bool _flushToDisk;
    private readonly int _compactionFactor;
    private readonly int _compactionMinimumLines;
    private FileStream? _stream;
    private long _length;
    private bool _tailDirty;
    private long _lineCount;
    private long _nextCompactionAt;
    private long _corruptLines;
    private long _compactions;
    private bool _disposed;

    private FileEpisodeStore(FileEpisodeStoreOptions options, string filePath)
    {
        FilePath = filePath;
        _memory = new InMemoryEpisodeStore(new InMemoryEpisodeStoreOptions { MaxClosedEpisodes = options.MaxClosedEpisodes });
        _flushToDisk = options.FlushToDisk;
        _compactionFactor = options.CompactionFactor;
        _compactionMinimumLines = options.CompactionMinimumLines;
        _nextCompactionAt = options.CompactionMinimumLines;
        _writer = new Utf8JsonWriter(_line);
    }

    /// <summary>Gets the full path of the episode file.</summary>
    public string FilePath { get; }

    /// <summary>Gets the number of episodes held (open and closed). Thread-safe.</summary>
    public int Count => _memory.Count;

    /// <summary>Gets how many closed episodes were evicted from the bounded history since the store was opened, replay included. Thread-safe.</summary>
    public long EvictedCount => _memory.EvictedCount;

    /// <summary>Gets how many lines were skipped on open because they were torn or not a valid episode. Thread-safe.</summary>
    public long CorruptLinesSkipped => Interlocked.Read(ref _corruptLines);

    /// <summary>Gets how many lines the file holds now (valid, superseded and corrupt). Thread-safe.</summary>
    public long LineCount => Interlocked.Read(ref _lineCount);

    /// <summary>Gets how many times the file was compacted since the store was opened. Thread-safe.</summary>
    public long CompactionCount => Interlocked.Read(ref _compactions);

    /// <summary>Opens (or creates) the store in <see cref="FileEpisodeStoreOptions.Path"/> and replays its file, synchronously.</summary>
    /// <param name="options">The options; read once.</param>
    /// <returns>The open store; dispose it to close the file.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="options"/> is <see langword="null"/>.</exception>
    /// <exception cref="ValidationException">An option is out of range.</exception>
    /// <exception cref="IOException">The file cannot be opened, for example because another store holds it.</exception>
    /// <exception cref="UnauthorizedAccessException">The directory or file is not accessible.</exception>
    public static FileEpisodeStore Open(FileEpisodeStoreOptions options)
    {
        // With async: false every step completes synchronously; AsTask keeps this correct even if one did not.
        return OpenCoreAsync(options, async: false, CancellationToken.None).AsTask().GetAwaiter().GetResult();
    }

    /// <summary>Opens (or creates) the store in <see cref="FileEpisodeStoreOptions.Path"/> and replays its file.</summary>
    /// <param name="options">The options; read once.</param>
    /// <param name="cancellationToken">Cancels the replay; the file is closed again.</param>
    /// <returns>The open store; dispose it to close the file.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="options"/> is <see langword="null"/>.</exception>
    /// <exception cref="ValidationException">An option is out of range.</exception>
    /// <exception cref="IOException">The file cannot be opened, for example because another store holds it.</exception>
    /// <exception cref="UnauthorizedAccessException">The directory or file is not accessible.</exception>
    public static async Task<FileEpisodeStore> OpenAsync(FileEpisodeStoreOptions options, CancellationToken cancellationToken = default) =>
        await OpenCoreAsync(options, async: true, cancellationToken).ConfigureAwait(false);

    /// <inheritdoc/>
    /// <remarks>
    /// Appends the snapshot as one line, flushes it (to disk with <see cref="FileEpisodeStoreOptions.FlushToDisk"/>), then makes it
    /// visible to reads, and compacts the file when it is due. Once the write started, <paramref name="cancellationToken"/> no
    /// longer cancels it, so a line is written whole or not at all.
    /// </remarks>
    /// <exception cref="ArgumentNullException"><paramref name="episode"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException"><paramref name="episode"/> has an empty id.</exception>
    /// <exception cref="JsonException"><paramref name="episode"/> breaks the model's contract (a <see langword="null"/> where none is allowed).</exception>
    /// <exception cref="IOException">The line could not be written; the store is unchanged.</exception>
    /// <exception cref="ObjectDisposedException">The store was disposed.</exception>
    public async ValueTask SaveAsync(Episode episode, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(episode);
        ArgumentException.ThrowIfNullOrEmpty(episode.Id, nameof(episode));
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            _line.ResetWrittenCount();
            WriteLine(episode);
            await AppendAsync(_line.WrittenMemory).ConfigureAwait(false);
            _memory.Save(episode);
            Interlocked.Increment(ref _lineCount);
            if (CompactionDue())
            {
                await CompactCoreAsync(async: true, throwOnFailure: false).ConfigureAwait(false);
            }
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <inheritdoc/>
    /// <remarks>Served from memory; completes synchronously.</remarks>
    public ValueTask<Episode?> GetAsync(string id, CancellationToken cancellationToken = default) => _memory.GetAsync(id, cancellationToken);

    /// <inheritdoc/>
    /// <remarks>Served from memory with the same filters and order as <see cref="InMemoryEpisodeStore.ListAsync"/>; completes synchronously.</remarks>
    /// <exception cref="ArgumentOutOfRangeException"><see cref="EpisodeQuery.Limit"/> is negative.</exception>
    public ValueTask<IReadOnlyList<Episode>> ListAsync(EpisodeQuery? query = null, CancellationToken cancellationToken = default) =>
        _memory.ListAsync(query, cancellationToken);

    /// <summary>
    /// Rewrites the file now with one line per held episode, oldest first, whether or not compaction is due; for a shutdown or
    /// an administrative action. Serialised with saves.
    /// </summary>
    /// <param name="cancellationToken">Cancels waiting for a save in progress; the rewrite itself is not cancelled.</param>
    /// <returns>A task that completes when the compacted file is in place.</returns>
    /// <exception cref="IOException">The file could not be rewritten; the original is left in place.</exception>
    /// <exception cref="ObjectDisposedException">The store was disposed.</exception>
    public async Task CompactAsync(CancellationToken cancellationToken = default)
    {
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            await CompactCoreAsync(async: true, throwOnFailure: true).ConfigureAwait(false);
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>Waits for a save in progress, then closes the file. Idempotent.</summary>
    /// <returns>A task that completes when the file is closed.</returns>
    public async ValueTask DisposeAsync()
    {
        await _gate.WaitAsync().ConfigureAwait(false);
        try
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            if (_stream is not null)
            {
                await _stream.DisposeAsync().ConfigureAwait(false);
                _stream = null;
            }

            await _writer.DisposeAsync().ConfigureAwait(false);
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>Waits for a save in progress, then closes the file. Idempotent.</summary>
    public void Dispose()
    {
        _gate.Wait();
        try
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            _stream?.Dispose();
            _stream = null;
            _writer.Dispose();
        }
        finally
        {
            _gate.Release();
        }
    }

    private static async ValueTask<FileEpisodeStore> OpenCoreAsync(FileEpisodeStoreOptions options, bool async, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        var directory = Path.GetFullPath(options.Path);
        Directory.CreateDirectory(directory);
        var store = new FileEpisodeStore(options, Path.Combine(directory, FileName));
        try
        {
            store._stream = OpenFile(store.FilePath);

            // Holding the file, no other store can be compacting it: a temporary file left over is from a crash mid-compaction,
            // which happened before the atomic move (the original is intact) or after it (the temporary file is gone).
            File.Delete(store.FilePath + CompactionSuffix);
            await store.ReplayAsync(async, cancellationToken).ConfigureAwait(false);
            if (store.CompactionDue())
            {
                await store.CompactCoreAsync(async, throwOnFailure: false).ConfigureAwait(false);
            }

            return store;
        }
        catch
        {
            store.Dispose();
            throw;
        }
    }

    private static FileStream OpenFile(string path) =>
        new(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None, bufferSize: 0);

    /// <summary>Reads every line, keeping the last valid snapshot per id; repairs a torn tail so that appends start on a new line.</summary>
    private async ValueTask ReplayAsync(bool async, CancellationToken cancellationToken)
    {
        var stream = _stream!;
        var buffer = ArrayPool<byte>.Shared.Rent(ReadBufferSize);
        try
        {
            int start = 0, end = 0, scanned = 0;
            var first = true;
            while (true)
            {
                if (end == buffer.Length)
                {
                    if (start > 0)
                    {
                        buffer.AsSpan(start, end - start).CopyTo(buffer);
                        (end, scanned, start) = (end - start, scanned - start, 0);
                    }
                    else
                    {
                        // One line longer than the buffer: grow it.
                        var larger = ArrayPool<byte>.Shared.Rent(buffer.Length * 2);
                        buffer.AsSpan(0, end).CopyTo(larger);
                        ArrayPool<byte>.Shared.Return(buffer);
                        buffer = larger;
                    }
                }

                var read = async
                    ? await stream.ReadAsync(buffer.AsMemory(end), cancellationToken).ConfigureAwait(false)
                    : stream.Read(buffer, end, buffer.Length - end);
                if (read == 0)
                {
                    break;
                }

                end += read;
                while (true)
                {
                    var newline = buffer.AsSpan(scanned, end - scanned).IndexOf(NewLine[0]);
                    if (newline < 0)
                    {
                        scanned = end;
                        break;
                    }

                    ReplayLine(buffer.AsSpan(start, scanned + newline - start), ref first);
                    start = scanned = scanned + newline + 1;
                }
            }

            _length = stream.Length;
            if (start < end)
            {
                // The last line has no newline: a crash mid-write, or a line whose newline was lost. Terminate it, so that the
                // next append starts on a line of its own instead of extending the broken one.
                ReplayLine(buffer.AsSpan(start, end - start), ref first);
                stream.Position = _length;
                if (async)
                {
                    await stream.WriteAsync(NewLine.ToArray(), cancellationToken).ConfigureAwait(false);
                }
                else
                {
                    stream.Write(NewLine);
                }

                _length++;
                Flush(stream);
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private void ReplayLine(ReadOnlySpan<byte> line, ref bool first)
    {
        if (first)
        {
            first = false;
            if (line.StartsWith(ByteOrderMark))
            {
                line = line[ByteOrderMark.Length..];
            }
        }

        _lineCount++;
        if (line.Trim(" \t\r"u8).IsEmpty)
        {
            return;
        }

        Episode? episode;
        try
        {
            episode = JsonSerializer.Deserialize(line, CorrelationJsonContext.Default.Episode);
        }
        catch (Exception e) when (e is JsonException or NotSupportedException or InvalidOperationException or ArgumentException or FormatException or OverflowException)
        {
            episode = null;
        }

        if (episode is not null && IsWellFormed(episode))
        {
            _memory.Save(episode);
        }
        else
        {
            _corruptLines++;
        }
    }

    /// <summary>Checks what the serializer does not: a non-empty id and no <see langword="null"/> list entries.</summary>
    private static bool IsWellFormed(Episode episode) =>
        !string.IsNullOrEmpty(episode.Id)
        && NoNulls(episode.Entities) && NoNulls(episode.Members) && NoNulls(episode.Changes) && NoNulls(episode.Transitions)
        && (episode.RootCause is null || NoNulls(episode.RootCause.Hypotheses));

    private static bool NoNulls<T>(IReadOnlyList<T> items)
        where T : class
    {
        foreach (var item in items)
        {
            if (item is null)
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>Serialises one episode and a newline into <see cref="_line"/>.</summary>
    private void WriteLine(Episode episode)
    {
        _writer.Reset(_line);
        JsonSerializer.Serialize(_writer, episode, CorrelationJsonContext.Default.Episode);
        _writer.Flush();
        _line.Write(NewLine);
    }

    private async ValueTask AppendAsync(ReadOnlyMemory<byte> line)
    {
        var stream = EnsureStream();
        try
        {
            if (_tailDirty)
            {
                // An earlier append failed part-way: drop what it left behind.
                stream.SetLength(_length);
                _tailDirty = false;
            }

            stream.Position = _length;
            await stream.WriteAsync(line, CancellationToken.None).ConfigureAwait(false);
            await stream.FlushAsync(CancellationToken.None).ConfigureAwait(false);
            Flush(stream);
        }
        catch
        {
            _tailDirty = true;
            throw;
        }

        _length += line.Length;
    }

    private void Flush(FileStream stream)
    {
        if (_flushToDisk)
        {
            stream.Flush(flushToDisk: true);
        }
        else
        {
            stream.Flush();
        }
    }

    /// <summary>Reopens the file after a compaction that could not reopen it; truncates anything beyond the last complete line.</summary>
    private FileStream EnsureStream()
    {
        if (_stream is null)
        {
            var stream = OpenFile(FilePath);
            if (stream.Length != _length)
            {
                stream.SetLength(_length);
            }

            _stream = stream;
            _tailDirty = false;
        }

        return _stream;
    }

    private bool CompactionDue()
    {
        var lines = _lineCount;
        return lines >= _nextCompactionAt && lines > (long)_compactionFactor * _memory.Count;
    }

    /// <summary>Writes every held episode to a temporary file and moves it over the file. Called under the gate (or while opening).</summary>
    private async ValueTask CompactCoreAsync(bool async, bool throwOnFailure)
    {
        var temporary = FilePath + CompactionSuffix;
        var episodes = _memory.List(null);
        episodes.Reverse(); // Oldest first: replaying the compacted file rebuilds the same history.
        long length = 0;
        try
        {
            var output = new FileStream(temporary, FileMode.Create, FileAccess.Write, FileShare.None, bufferSize: ReadBufferSize);
            try
            {
                foreach (var episode in episodes)
                {
                    _line.ResetWrittenCount();
                    WriteLine(episode);
                    if (async)
                    {
                        await output.WriteAsync(_line.WrittenMemory).ConfigureAwait(false);
                    }
                    else
                    {
                        output.Write(_line.WrittenSpan);
                    }

                    length += _line.WrittenCount;
                }

                Flush(output);
            }
            finally
            {
                // Flushed above, so disposing has nothing left to write.
                output.Dispose();
            }

            _stream?.Dispose();
            _stream = null;
            File.Move(temporary, FilePath, overwrite: true);
            _length = length;
            _tailDirty = false;
            Interlocked.Exchange(ref _lineCount, episodes.Count);
            Interlocked.Increment(ref _compactions);
            _nextCompactionAt = _compactionMinimumLines;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            TryDelete(temporary);
            _nextCompactionAt = _lineCount + _compactionMinimumLines;
            if (throwOnFailure)
            {
                throw;
            }
        }
        finally
        {
            _line.ResetWrittenCount();
        }

        try
        {
            EnsureStream();
        }
        catch (Exception e) when (!throwOnFailure && e is IOException or UnauthorizedAccessException)
        {
            // The next save retries opening the file and reports the failure.
        }
    }

    private static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Best effort: the next open deletes it.
        }
    }
}

/// <summary>Options of <see cref="FileEpisodeStore"/>. Read once when the store is opened.</summary>
public sealed class FileEpisodeStoreOptions
{
    /// <summary>
    /// Gets or sets the directory that holds the episode file (<see cref="FileEpisodeStore.FileName"/>); created when missing,
    /// relative paths resolve against the current directory. Required; no default.
    /// </summary>
    [Required]
    public string Path { get; set; } = string.Empty;

    /// <summary>
    /// Gets or sets how many closed episodes (resolved, inactive or merged) are kept, as <see cref="InMemoryEpisodeStoreOptions.MaxClosedEpisodes"/>;
    /// older ones are evicted from memory at once and from the file at the next compaction. Default: 1,000. Range: [0, 10,000,000].
    /// </summary>
    [Range(0, 10_000_000)]
    public int MaxClosedEpisodes { get; set; } = 1_000;

    /// <summary>
    /// Gets or sets whether a save waits until its line is on the disk (fsync, <see cref="FileStream.Flush(bool)"/>) rather than
    /// handed to the operating system, which survives a process crash but not a power loss. Default: <see langword="true"/>.
    /// </summary>
    public bool FlushToDisk { get; set; } = true;

    /// <summary>
    /// Gets or sets how many lines per held episode the file may grow to before it is compacted (together with
    /// <see cref="CompactionMinimumLines"/>). Default: 4. Range: [2, 1,000].
    /// </summary>
    [Range(2, 1_000)]
    public int CompactionFactor { get; set; } = 4;

    /// <summary>Gets or sets how many lines the file must hold before it is compacted. Default: 1,000. Range: [1, 1,000,000,000].</summary>
    [Range(1, 1_000_000_000)]
    public int CompactionMinimumLines { get; set; } = 1_000;

    /// <summary>Checks every property against its documented range.</summary>
    /// <exception cref="ValidationException">A value is missing or out of range; the message names the option and the property.</exception>
    public void Validate() => Aiops.Detection.Internal.OptionsValidator.ThrowIfInvalid(this);
}
