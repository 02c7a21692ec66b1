using System.ComponentModel.DataAnnotations;

namespace Aiops.Correlation;

/// <summary>What a signal measures, in the vocabulary of the four golden signals.</summary>
public enum SignalClass
{
    /// <summary>Anything else (an anomaly score, a business metric, an alert whose name says nothing about the kind).</summary>
    Other = 0,

    /// <summary>Demand on the system: requests, calls, throughput.</summary>
    Traffic = 1,

    /// <summary>Failed work: errors, 5xx responses, exceptions, timeouts.</summary>
    Errors = 2,

    /// <summary>How long work takes: latency, durations, response times.</summary>
    Latency = 3,

    /// <summary>How full a resource is: CPU, memory, disk, queues, pools, connections, threads.</summary>
    Saturation = 4,
}

/// <summary>
/// Options of <see cref="SignalClassifier"/>: the case-insensitive substrings that place a signal's name in a class.
/// </summary>
/// <remarks>
/// Options are read once when a classifier is created; changing them afterwards has no effect on it. Setting a list replaces
/// its defaults; to extend a list, add to it.
/// </remarks>
public sealed class SignalClassifierOptions : IValidatableObject
{
    /// <summary>The default <see cref="OverrideKey"/>: <c>aiops_signal_class</c>.</summary>
    public const string DefaultOverrideKey = "aiops_signal_class";

    /// <summary>
    /// Gets or sets the label (or alert annotation) whose value, when it is one of <c>traffic</c>, <c>errors</c> (or
    /// <c>error</c>), <c>latency</c>, <c>saturation</c> or <c>other</c> (any case), decides the class outright; any other value
    /// is ignored. Labels win over annotations. Default: <see cref="DefaultOverrideKey"/>. Not empty.
    /// </summary>
    [Required]
    [MinLength(1)]
    public string OverrideKey { get; set; } = DefaultOverrideKey;

    /// <summary>
    /// Gets or sets the role of metrics by exact name (case-insensitive), for names no pattern recognises (<c>ops</c>,
    /// <c>rss</c>): <c>{ "ops": "Traffic", "rss": "Saturation" }</c> in configuration. A series' own
    /// <see cref="OverrideKey"/> label still wins; the name patterns are not consulted for a listed name. Default: empty.
    /// </summary>
    [Required]
    public IDictionary<string, SignalClass> MetricRoles { get; set; } = new Dictionary<string, SignalClass>(StringComparer.OrdinalIgnoreCase);

    /// <summary>
    /// Gets or sets the roles of whole words of a name, for abbreviations too short to match safely as substrings (<c>ops</c>
    /// inside <c>devops</c>, <c>err</c> inside <c>stderr</c>): a name is split into words at every character that is not a
    /// letter or a digit and where a lower-case letter meets an upper-case one (<c>frontend_p95</c> → <c>frontend</c>,
    /// <c>p95</c>; <c>MemUsed</c> → <c>Mem</c>, <c>Used</c>), and a word listed here (case-insensitive) counts as a pattern of
    /// its class, in the rules' order (errors before latency before saturation before traffic). Default: <c>ops</c>,
    /// <c>tps</c>, <c>rpm</c>, <c>hits</c>, <c>workload</c> traffic; <c>err</c>, <c>errs</c>, <c>fault</c>, <c>faults</c>
    /// errors; <c>p50</c>, <c>p75</c>, <c>p90</c>, <c>p95</c>, <c>p99</c>, <c>p999</c>, <c>elapsed</c> latency; <c>mem</c>,
    /// <c>rss</c>, <c>util</c>, <c>load</c>, <c>iops</c>, <c>fds</c> saturation. Keys are single words: not empty, letters and
    /// digits only.
    /// </summary>
    [Required]
    public IDictionary<string, SignalClass> NameWords { get; set; } = new Dictionary<string, SignalClass>(StringComparer.OrdinalIgnoreCase)
    {
        ["ops"] = SignalClass.Traffic,
        ["tps"] = SignalClass.Traffic,
        ["rpm"] = SignalClass.Traffic,
        ["hits"] = SignalClass.Traffic,
        ["workload"] = SignalClass.Traffic,
        ["err"] = SignalClass.Errors,
        ["errs"] = SignalClass.Errors,
        ["fault"] = SignalClass.Errors,
        ["faults"] = SignalClass.Errors,
        ["p50"] = SignalClass.Latency,
        ["p75"] = SignalClass.Latency,
        ["p90"] = SignalClass.Latency,
        ["p95"] = SignalClass.Latency,
        ["p99"] = SignalClass.Latency,
        ["p999"] = SignalClass.Latency,
        ["elapsed"] = SignalClass.Latency,
        ["mem"] = SignalClass.Saturation,
        ["rss"] = SignalClass.Saturation,
        ["util"] = SignalClass.Saturation,
        ["load"] = SignalClass.Saturation,
        ["iops"] = SignalClass.Saturation,
        ["fds"] = SignalClass.Saturation,
    };

    /// <summary>
    /// Gets or sets the substrings that mark traffic. Default: <c>request</c>, <c>rps</c>, <c>qps</c>, <c>throughput</c>,
    /// <c>traffic</c>, <c>calls</c>, <c>http_requests_total</c>.
    /// </summary>
    [Required]
    public IList<string> TrafficPatterns { get; set; } = ["request", "rps", "qps", "throughput", "traffic", "calls", "http_requests_total"];

    /// <summary>
    /// Gets or sets the substrings that mark errors. Default: <c>error</c>, <c>5xx</c>, <c>fail</c>, <c>exception</c>,
    /// <c>panic</c>, <c>crash</c>, <c>timeout</c>, <c>unavailable</c>.
    /// </summary>
    [Required]
    public IList<string> ErrorPatterns { get; set; } = ["error", "5xx", "fail", "exception", "panic", "crash", "timeout", "unavailable"];

    /// <summary>
    /// Gets or sets the substrings that mark latency wherever they appear. Default: <c>latency</c>, <c>duration</c>,
    /// <c>response_time</c>, <c>responsetime</c>, <c>rtt</c>, <c>slow</c>.
    /// </summary>
    [Required]
    public IList<string> LatencyPatterns { get; set; } = ["latency", "duration", "response_time", "responsetime", "rtt", "slow"];

    /// <summary>
    /// Gets or sets the time-unit substrings that mark latency only in histogram or summary series (names ending in
    /// <c>_bucket</c> or <c>_sum</c>, or series with an <c>le</c> or <c>quantile</c> label), so that a counter such as
    /// <c>container_cpu_usage_seconds_total</c> is not taken for latency. Default: <c>seconds</c>, <c>milliseconds</c>, <c>_ms</c>.
    /// </summary>
    [Required]
    public IList<string> LatencyUnitPatterns { get; set; } = ["seconds", "milliseconds", "_ms"];

    /// <summary>
    /// Gets or sets the substrings that mark saturation. Default: <c>saturation</c>, <c>utilization</c>, <c>utilisation</c>,
    /// <c>cpu</c>, <c>memory</c>, <c>heap</c>, <c>oom</c>, <c>disk</c>, <c>filesystem</c>, <c>inode</c>, <c>swap</c>,
    /// <c>queue</c>, <c>backlog</c>, <c>pool</c>, <c>connections</c>, <c>threads</c>, <c>throttl</c>, <c>pressure</c>,
    /// <c>capacity</c>, <c>exhaust</c>, <c>loadavg</c>, <c>load_average</c>, <c>node_load</c>.
    /// </summary>
    [Required]
    public IList<string> SaturationPatterns { get; set; } =
    [
        "saturation", "utilization", "utilisation", "cpu", "memory", "heap", "oom", "disk", "filesystem", "inode", "swap",
        "queue", "backlog", "pool", "connections", "threads", "throttl", "pressure", "capacity", "exhaust", "loadavg",
        "load_average", "node_load",
    ];

    /// <summary>
    /// Gets or sets the labels that carry a response status. A traffic (or otherwise unclassified) series whose status is a
    /// 5xx code (<c>500</c>–<c>599</c>, <c>5xx</c>) or contains an error pattern is an error series:
    /// <c>http_requests_total{code="503"}</c> counts errors. Default: <c>code</c>, <c>status</c>, <c>status_code</c>,
    /// <c>http_status</c>, <c>response_code</c>, <c>grpc_code</c>.
    /// </summary>
    [Required]
    public IList<string> StatusCodeLabels { get; set; } = ["code", "status", "status_code", "http_status", "response_code", "grpc_code"];

    /// <summary>Checks every property: the override key is not empty, no list is <see langword="null"/> or holds an empty pattern.</summary>
    /// <exception cref="ValidationException">A value is invalid; the message names the option and the property.</exception>
    public void Validate() => Aiops.Detection.Internal.OptionsValidator.ThrowIfInvalid(this);

    /// <inheritdoc />
    IEnumerable<ValidationResult> IValidatableObject.Validate(ValidationContext validationContext)
    {
        var results = new List<ValidationResult>();
        if (MetricRoles is not null)
        {
            foreach (var (name, role) in MetricRoles)
            {
                if (string.IsNullOrEmpty(name) || !Enum.IsDefined(role))
                {
                    results.Add(new ValidationResult($"The role '{role}' of metric '{name}' is invalid: names are not empty and roles are traffic, errors, latency, saturation or other.", [nameof(MetricRoles)]));
                    break;
                }
            }
        }

        if (NameWords is not null)
        {
            foreach (var (word, role) in NameWords)
            {
                if (string.IsNullOrEmpty(word) || !word.All(char.IsLetterOrDigit) || !Enum.IsDefined(role))
                {
                    results.Add(new ValidationResult($"The word '{word}' (role '{role}') is invalid: words are letters and digits only, not empty, and roles are traffic, errors, latency, saturation or other.", [nameof(NameWords)]));
                    break;
                }
            }
        }

        CheckList(TrafficPatterns, nameof(TrafficPatterns), results);
        CheckList(ErrorPatterns, nameof(ErrorPatterns), results);
        CheckList(LatencyPatterns, nameof(LatencyPatterns), results);
        CheckList(LatencyUnitPatterns, nameof(LatencyUnitPatterns), results);
        CheckList(SaturationPatterns, nameof(SaturationPatterns), results);
        CheckList(StatusCodeLabels, nameof(StatusCodeLabels), results);
        return results;
    }

    private static void CheckList(IList<string>? list, string name, List<ValidationResult> results)
    {
        if (list is null)
        {
            return; // [Required] already reported it.
        }

        foreach (var pattern in list)
        {
            if (string.IsNullOrEmpty(pattern))
            {
                results.Add(new ValidationResult("The list holds an empty or null pattern; an empty pattern would match every name.", [name]));
                return;
            }
        }
    }
}

/// <summary>
/// Classifies a signal as <see cref="SignalClass.Traffic"/>, <see cref="SignalClass.Errors"/>, <see cref="SignalClass.Latency"/>,
/// <see cref="SignalClass.Saturation"/> or <see cref="SignalClass.Other"/> from its name, labels and annotations.
/// </summary>
/// <remarks>
/// <para>The rules, first match wins (every name comparison is an ordinal, case-insensitive substring match against the
/// patterns of <see cref="SignalClassifierOptions"/>):</para>
/// <list type="number">
/// <item>The label <see cref="SignalClassifierOptions.OverrideKey"/> (then, for alerts, the annotation of that name) names the class.</item>
/// <item>The name is listed in <see cref="SignalClassifierOptions.MetricRoles"/> (configuration): that role.</item>
/// <item>The name contains an error pattern, or a word listed as errors in <see cref="SignalClassifierOptions.NameWords"/>: <see cref="SignalClass.Errors"/> (<c>HighErrorRate</c>, <c>request_failures_total</c>, <c>cart_err</c>); the same holds for every class below.</item>
/// <item>The name contains a latency pattern, or a latency unit pattern in a histogram/summary series: <see cref="SignalClass.Latency"/>
/// (<c>http_request_duration_seconds</c> is latency, not traffic). A histogram's <c>_count</c> series counts events, so
/// <c>http_request_duration_seconds_count</c> is <see cref="SignalClass.Traffic"/>.</item>
/// <item>The name contains a saturation pattern: <see cref="SignalClass.Saturation"/> (<c>container_cpu_usage_seconds_total</c>).</item>
/// <item>The name contains a traffic pattern: <see cref="SignalClass.Traffic"/> — unless a status label says 5xx or error, which
/// makes it <see cref="SignalClass.Errors"/>; a status label alone also makes an unmatched series <see cref="SignalClass.Errors"/>.</item>
/// <item>Otherwise <see cref="SignalClass.Other"/>.</item>
/// </list>
/// <para>The classifier is immutable and thread-safe; it allocates nothing per call.</para>
/// </remarks>
public sealed class SignalClassifier
{
    private static readonly string[] HistogramSuffixes = ["_bucket", "_sum"];
    private static readonly string[] HistogramLabels = ["le", "quantile"];
    private const string CountSuffix = "_count";

    private readonly string _overrideKey;
    private readonly string[] _traffic;
    private readonly string[] _errors;
    private readonly string[] _latency;
    private readonly string[] _latencyUnits;
    private readonly string[] _saturation;
    private readonly string[] _statusLabels;
    private readonly Dictionary<string, SignalClass> _roles;
    private readonly Dictionary<string, SignalClass>.AlternateLookup<ReadOnlySpan<char>> _words;
    private readonly bool _hasWords;

    /// <summary>Initializes a new instance of the <see cref="SignalClassifier"/> class.</summary>
    /// <param name="options">The patterns; <see langword="null"/> uses the defaults. They are copied.</param>
    /// <exception cref="ValidationException">An option is invalid.</exception>
    public SignalClassifier(SignalClassifierOptions? options = null)
    {
        options ??= new SignalClassifierOptions();
        options.Validate();
        _overrideKey = options.OverrideKey;
        _traffic = [.. options.TrafficPatterns];
        _errors = [.. options.ErrorPatterns];
        _latency = [.. options.LatencyPatterns];
        _latencyUnits = [.. options.LatencyUnitPatterns];
        _saturation = [.. options.SaturationPatterns];
        _statusLabels = [.. options.StatusCodeLabels];
        _roles = new Dictionary<string, SignalClass>(StringComparer.OrdinalIgnoreCase);
        foreach (var (name, role) in options.MetricRoles)
        {
            _roles[name] = role; // a case-sensitive dictionary may hold names that differ only in case: the last wins
        }

        var words = new Dictionary<string, SignalClass>(StringComparer.OrdinalIgnoreCase);
        foreach (var (word, role) in options.NameWords)
        {
            words[word] = role;
        }

        _words = words.GetAlternateLookup<ReadOnlySpan<char>>();
        _hasWords = words.Count > 0;
    }

    /// <summary>Gets a classifier with the default patterns.</summary>
    public static SignalClassifier Default { get; } = new();

    /// <summary>Classifies a signal from its name, labels and (for alerts) annotations.</summary>
    /// <param name="signal">The signal; <see langword="null"/> or a <see cref="ChangeSignal"/> is <see cref="SignalClass.Other"/>.</param>
    /// <returns>The class.</returns>
    public SignalClass Classify(Signal? signal) => signal switch
    {
        null or ChangeSignal => SignalClass.Other,
        AlertSignal alert => Classify(alert.Name, alert.Labels, alert.Annotations),
        _ => Classify(signal.Name, signal.Labels),
    };

    /// <summary>Classifies a series or alert by name, labels and annotations.</summary>
    /// <param name="name">The metric or alert name; <see langword="null"/> is treated as empty.</param>
    /// <param name="labels">Its labels, or <see langword="null"/>.</param>
    /// <param name="annotations">Its annotations (alerts), or <see langword="null"/>.</param>
    /// <returns>The class.</returns>
    public SignalClass Classify(string? name, IReadOnlyDictionary<string, string>? labels = null, IReadOnlyDictionary<string, string>? annotations = null)
    {
        if (TryOverride(labels, out var forced) || TryOverride(annotations, out forced))
        {
            return forced;
        }

        name ??= string.Empty;
        if (_roles.Count > 0 && _roles.TryGetValue(name, out var role))
        {
            return role;
        }

        var words = WordClasses(name);
        if (ContainsAny(name, _errors) || Has(words, SignalClass.Errors))
        {
            return SignalClass.Errors;
        }

        var latency = ContainsAny(name, _latency) || (ContainsAny(name, _latencyUnits) && IsHistogram(name, labels)) || Has(words, SignalClass.Latency);
        if (latency)
        {
            return name.EndsWith(CountSuffix, StringComparison.OrdinalIgnoreCase) ? StatusOr(SignalClass.Traffic, labels) : SignalClass.Latency;
        }

        if (ContainsAny(name, _saturation) || Has(words, SignalClass.Saturation))
        {
            return SignalClass.Saturation;
        }

        return StatusOr(ContainsAny(name, _traffic) || Has(words, SignalClass.Traffic) ? SignalClass.Traffic : SignalClass.Other, labels);
    }

    private static bool Has(int classes, SignalClass signalClass) => (classes & (1 << (int)signalClass)) != 0;

    // The classes of the name's words listed in NameWords, one bit per class. A word ends at a character that is not a letter
    // or a digit, and before an upper-case letter that follows a lower-case one (camelCase), not between letters and digits
    // (p95 is one word).
    private int WordClasses(string name)
    {
        if (!_hasWords)
        {
            return 0;
        }

        var classes = 0;
        var start = 0;
        for (var i = 0; i <= name.Length; i++)
        {
            var ends = i == name.Length || !char.IsLetterOrDigit(name[i]) || (i > start && char.IsUpper(name[i]) && char.IsLower(name[i - 1]));
            if (!ends)
            {
                continue;
            }

            if (i > start && _words.TryGetValue(name.AsSpan(start, i - start), out var role))
            {
                classes |= 1 << (int)role;
            }

            start = i < name.Length && char.IsLetterOrDigit(name[i]) ? i : i + 1;
        }

        return classes;
    }

    /// <summary>Parses a class name as the override label accepts it.</summary>
    internal static bool TryParseClass(string? value, out SignalClass signalClass)
    {
        var text = value.AsSpan().Trim();
        if (text.Equals("traffic", StringComparison.OrdinalIgnoreCase))
        {
            signalClass = SignalClass.Traffic;
        }
        else if (text.Equals("errors", StringComparison.OrdinalIgnoreCase) || text.Equals("error", StringComparison.OrdinalIgnoreCase))
        {
            signalClass = SignalClass.Errors;
        }
        else if (text.Equals("latency", StringComparison.OrdinalIgnoreCase))
        {
            signalClass = SignalClass.Latency;
        }
        else if (text.Equals("saturation", StringComparison.OrdinalIgnoreCase))
        {
            signalClass = SignalClass.Saturation;
        }
        else if (text.Equals("other", StringComparison.OrdinalIgnoreCase))
        {
            signalClass = SignalClass.Other;
        }
        else
        {
            signalClass = SignalClass.Other;
            return false;
        }

        return true;
    }

    private bool TryOverride(IReadOnlyDictionary<string, string>? map, out SignalClass signalClass)
    {
        signalClass = SignalClass.Other;
        return map is not null && map.TryGetValue(_overrideKey, out var value) && TryParseClass(value, out signalClass);
    }

    private SignalClass StatusOr(SignalClass fallback, IReadOnlyDictionary<string, string>? labels)
    {
        if (labels is null)
        {
            return fallback;
        }

        foreach (var label in _statusLabels)
        {
            if (labels.TryGetValue(label, out var value) && value is not null && IsErrorStatus(value))
            {
                return SignalClass.Errors;
            }
        }

        return fallback;
    }

    private bool IsErrorStatus(string value)
    {
        var text = value.AsSpan().Trim();
        if (text.Length == 3 && text[0] == '5' && ((char.IsAsciiDigit(text[1]) && char.IsAsciiDigit(text[2])) || text[1..].Equals("xx", StringComparison.OrdinalIgnoreCase)))
        {
            return true;
        }

        return ContainsAny(value, _errors);
    }

    private static bool IsHistogram(string name, IReadOnlyDictionary<string, string>? labels)
    {
        foreach (var suffix in HistogramSuffixes)
        {
            if (name.EndsWith(suffix, StringComparison.OrdinalIgnoreCase))
            {
                return true;
            }
        }

        if (labels is not null)
        {
            foreach (var label in HistogramLabels)
            {
                if (labels.ContainsKey(label))
                {
                    return true;
                }
            }
        }

        return false;
    }

    private static bool ContainsAny(string text, string[] patterns)
    {
        foreach (var pattern in patterns)
        {
            if (text.Contains(pattern, StringComparison.OrdinalIgnoreCase))
            {
                return true;
            }
        }

        return false;
    }
}
