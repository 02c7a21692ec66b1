using System.Globalization;
using System.Text;

namespace Aiops.Rca.Eval;

/// <summary>
/// Recorded incidents on disk, so the chain runs on metrics it did not generate: one directory per case holding a wide CSV
/// (<c>data.csv</c>, or the directory's only <c>*.csv</c>) whose first column is the time (<c>time</c> or <c>timestamp</c>: unix
/// seconds, or ISO 8601) and whose other columns are <c>&lt;service&gt;_&lt;metric&gt;</c> (split at the first underscore), one row
/// per sample; <c>inject_time.txt</c> beside it holds the fault's onset (unix seconds or ISO 8601); the root cause, when known,
/// is <c>root_cause.txt</c> beside it or the name of the nearest enclosing directory named <c>&lt;service&gt;_&lt;anything&gt;</c>
/// for one of the data's services (<c>cartservice_cpu/1/data.csv</c>).
/// </summary>
/// <remarks>
/// What cannot be read is reported, never guessed: a file without a time column or an onset is skipped with its reason;
/// a column that names no service or repeats an earlier column's name, a row whose time does not follow the previous one, and an empty or non-numeric cell (a
/// missing sample: the detectors skip and count it) are counted in the case's notes. Not thread-safe (static, stateless).
/// </remarks>
internal static class RecordedCases
{
    /// <summary>The name of the file that holds the onset.</summary>
    public const string OnsetFile = "inject_time.txt";

    /// <summary>The name of the file that holds the root cause.</summary>
    public const string CauseFile = "root_cause.txt";

    /// <summary>The name the exporter gives the data file.</summary>
    public const string DataFile = "data.csv";

    /// <summary>One case read from disk.</summary>
    /// <param name="Path">The data file.</param>
    /// <param name="Data">The series, times and onset; <see cref="RcaCase.Target"/> is the root cause, or <see langword="null"/> when not known.</param>
    /// <param name="Notes">What was skipped while reading, for the report; empty when nothing was.</param>
    public sealed record Loaded(string Path, CaseData Data, string Notes);

    /// <summary>
    /// Reads every case under <paramref name="root"/> (ordinal order of paths). A file that cannot be a case is written to
    /// <paramref name="skipped"/> with its reason and left out.
    /// </summary>
    public static IReadOnlyList<Loaded> Load(string root, IReadOnlyList<(string Caller, string Callee)> calls, TextWriter skipped)
    {
        ArgumentNullException.ThrowIfNull(root);
        ArgumentNullException.ThrowIfNull(skipped);
        var cases = new List<Loaded>();
        var files = Directory.EnumerateFiles(root, "*.csv", SearchOption.AllDirectories).Order(StringComparer.Ordinal).ToList();
        foreach (var group in files.GroupBy(f => Path.GetDirectoryName(f)!, StringComparer.Ordinal))
        {
            var candidates = group.ToList();
            var file = candidates.Find(f => Path.GetFileName(f) == DataFile) ?? (candidates.Count == 1 ? candidates[0] : null);
            if (file is null)
            {
                skipped.WriteLine($"skipped {group.Key}: {candidates.Count} CSV files and none named {DataFile}");
                continue;
            }

            try
            {
                cases.Add(Read(root, file, calls));
            }
            catch (FormatException e)
            {
                skipped.WriteLine($"skipped {file}: {e.Message}");
            }
        }

        return cases;
    }

    /// <summary>Reads one case; a file that cannot be one throws <see cref="FormatException"/> with the reason.</summary>
    public static Loaded Read(string root, string file, IReadOnlyList<(string Caller, string Callee)> calls)
    {
        var directory = Path.GetDirectoryName(Path.GetFullPath(file))!;
        var onsetPath = Path.Combine(directory, OnsetFile);
        if (!File.Exists(onsetPath))
        {
            throw new FormatException($"no {OnsetFile} beside it: the onset is needed to choose the incident's episode and to time detection");
        }

        var onsetTime = ParseTime(File.ReadAllText(onsetPath).Trim(), OnsetFile);
        using var reader = new StreamReader(file, Encoding.UTF8);
        var header = reader.ReadLine() is { } first ? SplitCells(first) : throw new FormatException("empty file");
        if (Trim(header[0]).ToLowerInvariant() is not ("time" or "timestamp"))
        {
            throw new FormatException($"the first column is '{Trim(header[0])}', not time or timestamp");
        }

        // Columns that name no service (no underscore, or nothing on one side of it) are left out and counted.
        // A column named again (the same series twice) is left out and counted: the first one is read.
        var columns = new List<(int Index, string Service, string Metric)>();
        var named = new HashSet<string>(StringComparer.Ordinal);
        int unnamed = 0, duplicate = 0;
        for (var c = 1; c < header.Length; c++)
        {
            var column = Trim(header[c]);
            var cut = column.IndexOf('_', StringComparison.Ordinal);
            if (cut <= 0 || cut == column.Length - 1)
            {
                unnamed++;
                continue;
            }

            if (!named.Add(column))
            {
                duplicate++;
                continue;
            }

            columns.Add((c, column[..cut], column[(cut + 1)..]));
        }

        if (columns.Count == 0)
        {
            throw new FormatException("no column named <service>_<metric>");
        }

        var times = new List<DateTimeOffset>();
        var values = columns.Select(_ => new List<double>()).ToArray();
        int unordered = 0, missing = 0, line = 1;
        while (reader.ReadLine() is { } row)
        {
            line++;
            if (row.Length == 0)
            {
                continue;
            }

            var cells = SplitCells(row);
            var time = ParseTime(Trim(cells[0]), $"line {line}");
            if (times.Count > 0 && time <= times[^1])
            {
                unordered++; // a duplicate or out-of-order row: the clock that follows the data cannot go back
                continue;
            }

            times.Add(time);
            for (var k = 0; k < columns.Count; k++)
            {
                var index = columns[k].Index;
                var value = double.NaN;
                var ok = index < cells.Length && double.TryParse(Trim(cells[index]), NumberStyles.Float, CultureInfo.InvariantCulture, out value) && double.IsFinite(value);
                missing += ok ? 0 : 1;
                values[k].Add(ok ? value : double.NaN);
            }
        }

        if (times.Count == 0)
        {
            throw new FormatException("no rows");
        }

        var onset = times.FindIndex(t => t >= onsetTime);
        if (onset <= 0)
        {
            throw new FormatException($"the onset {onsetTime:O} is {(onset == 0 ? "at or before the first row: no normal data before it" : "after the last row")}");
        }

        var services = columns.Select(c => c.Service).Distinct(StringComparer.Ordinal).ToList();
        var name = Path.GetRelativePath(root, directory).Replace('\\', '/');
        var cause = Cause(root, directory, services);
        var topology = Topology.Recorded(name, services, calls);
        var series = columns.Select((c, k) => new SeriesData(c.Service, c.Metric, [.. values[k]])).ToList();
        var data = new CaseData(new RcaCase(topology, FaultKind.Recorded, cause, 0), times[0], times.Count, onset, series, []) { Times = times };
        var notes = string.Join("; ", new[]
        {
            unnamed > 0 ? $"{unnamed} columns naming no service left out" : null,
            duplicate > 0 ? $"{duplicate} duplicate columns left out" : null,
            unordered > 0 ? $"{unordered} rows not after the previous one skipped" : null,
            missing > 0 ? $"{missing} empty or non-numeric cells (missing samples)" : null,
            cause is null ? "root cause not known" : null,
        }.OfType<string>());
        return new Loaded(file, data, notes);
    }

    /// <summary>
    /// Writes a generated fault case as a recorded one under <paramref name="root"/>: <c>&lt;target&gt;_&lt;fault&gt;/&lt;n&gt;/</c> with
    /// <see cref="DataFile"/> (values round-trip exactly) and <see cref="OnsetFile"/>. Change events are not written: a recording
    /// of metrics has none. Returns the case's directory.
    /// </summary>
    public static string Write(CaseData data, string root)
    {
        ArgumentNullException.ThrowIfNull(data);
        var target = data.Case.Target ?? throw new ArgumentException("a control has no fault to record", nameof(data));
        var parent = Path.Combine(root, $"{target}_{data.Case.Fault}");
        var n = 1;
        while (Directory.Exists(Path.Combine(parent, n.ToString(CultureInfo.InvariantCulture))))
        {
            n++;
        }

        var directory = Path.Combine(parent, n.ToString(CultureInfo.InvariantCulture));
        Directory.CreateDirectory(directory);
        using (var writer = new StreamWriter(Path.Combine(directory, DataFile), false, new UTF8Encoding(false)))
        {
            writer.WriteLine("time," + string.Join(",", data.Series.Select(s => $"{s.Service}_{s.Metric}")));
            var row = new StringBuilder();
            for (var i = 0; i < data.Length; i++)
            {
                row.Clear().Append(data.At(i).ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture));
                foreach (var s in data.Series)
                {
                    row.Append(',').Append(s.Values[i].ToString("R", CultureInfo.InvariantCulture));
                }

                writer.WriteLine(row);
            }
        }

        File.WriteAllText(Path.Combine(directory, OnsetFile), data.At(data.Onset).ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture));
        return directory;
    }

    /// <summary>Reads a graph file: one call per line, <c>caller -&gt; callee</c> or <c>caller,callee</c>; blank lines and <c>#</c> comments skipped.</summary>
    public static IReadOnlyList<(string Caller, string Callee)> ReadGraph(string file)
    {
        var calls = new List<(string, string)>();
        var line = 0;
        foreach (var raw in File.ReadLines(file))
        {
            line++;
            var text = raw.Trim();
            if (text.Length == 0 || text.StartsWith('#'))
            {
                continue;
            }

            var parts = text.Split(text.Contains("->", StringComparison.Ordinal) ? "->" : ",", StringSplitOptions.TrimEntries);
            if (parts.Length != 2 || parts[0].Length == 0 || parts[1].Length == 0)
            {
                throw new FormatException($"{file} line {line}: '{text}' is not 'caller -> callee'");
            }

            calls.Add((parts[0], parts[1]));
        }

        return calls;
    }

    // The cause: root_cause.txt, else the nearest enclosing directory (up to the root) named <service>_<anything>.
    private static string? Cause(string root, string directory, IReadOnlyList<string> services)
    {
        var causePath = Path.Combine(directory, CauseFile);
        if (File.Exists(causePath))
        {
            return File.ReadAllText(causePath).Trim() is { Length: > 0 } named ? named : null;
        }

        var top = Path.GetFullPath(root).TrimEnd(Path.DirectorySeparatorChar);
        for (var at = directory; at is not null && at.Length >= top.Length; at = Path.GetDirectoryName(at))
        {
            var name = Path.GetFileName(at);
            var match = services.Where(s => name.StartsWith(s + "_", StringComparison.Ordinal)).MaxBy(s => s.Length);
            if (match is not null)
            {
                return match;
            }
        }

        return null;
    }

    private static DateTimeOffset ParseTime(string text, string where)
    {
        if (double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var seconds) && double.IsFinite(seconds)
            && seconds >= -62_135_596_800 && seconds < 253_402_300_799) // 0001-01-01 to 9999-12-31: DateTimeOffset's range
        {
            return DateTimeOffset.UnixEpoch.AddTicks((long)Math.Round(seconds * TimeSpan.TicksPerSecond));
        }

        return DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var time)
            ? time
            : throw new FormatException($"{where}: '{text}' is neither unix seconds nor an ISO 8601 time");
    }

    private static string Trim(string cell) => cell.Trim();

    // The cells of one CSV line (RFC 4180 quoting: a quoted cell may hold commas, and "" is a quote in it); a quote is
    // dropped, so a quoted header reads as the name it quotes. A cell cannot span lines.
    private static string[] SplitCells(string line)
    {
        if (!line.Contains('"', StringComparison.Ordinal))
        {
            return line.Split(',');
        }

        var cells = new List<string>();
        var cell = new StringBuilder();
        var quoted = false;
        for (var i = 0; i < line.Length; i++)
        {
            var c = line[i];
            if (c == '"' && quoted && i + 1 < line.Length && line[i + 1] == '"')
            {
                cell.Append('"');
                i++;
            }
            else if (c == '"')
            {
                quoted = !quoted;
            }
            else if (c == ',' && !quoted)
            {
                cells.Add(cell.ToString());
                cell.Clear();
            }
            else
            {
                cell.Append(c);
            }
        }

        cells.Add(cell.ToString());
        return [.. cells];
    }
}
