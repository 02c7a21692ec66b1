using System.ComponentModel.DataAnnotations;
using System.Globalization;

namespace Aiops.Gates;

/// <summary>
/// Stops remediation during change freezes: recurring weekly windows in a time zone (Friday 16:00–24:00 Europe/Berlin,
/// or Friday 22:00 to Saturday 06:00 when the start is after the end) and one-off windows between two instants. Inside a
/// window the verdict is the window's <see cref="FreezeWindow.Verdict"/> (deny by default, or require approval); when
/// several windows are in effect the strictest wins, then the first configured. Outside every window the gate allows.
/// Immutable and thread-safe.
/// </summary>
/// <remarks>
/// Recurring windows are wall-clock times in <see cref="FreezeWindow.TimeZone"/>, converted with the zone's rules at the
/// decision time, so they follow daylight saving time: a 16:00 window starts at 14:00 UTC in a Berlin summer and at 15:00
/// UTC in winter. Wall-clock times skipped by a spring-forward gap never occur; times repeated by a fall-back occur twice.
/// </remarks>
public sealed class ChangeFreezeGate : IGatePolicy
{
    private readonly CompiledFreezeWindow[] _windows;
    private readonly string _windowCount;

    /// <summary>Initializes a new instance of the <see cref="ChangeFreezeGate"/> class.</summary>
    /// <param name="options">The options, with at least one window.</param>
    /// <exception cref="ArgumentNullException"><paramref name="options"/> is <see langword="null"/>.</exception>
    /// <exception cref="ValidationException">A window is invalid (unknown time zone, malformed time, missing bounds, an allow verdict).</exception>
    public ChangeFreezeGate(ChangeFreezeGateOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        Name = options.EffectiveName;
        var errors = new List<ValidationResult>();
        _windows = new CompiledFreezeWindow[options.Windows.Count];
        for (var i = 0; i < _windows.Length; i++)
        {
            _windows[i] = CompiledFreezeWindow.TryCompile(options.Windows[i], i, errors)
                ?? throw new ValidationException(string.Join(Environment.NewLine, errors.Select(e => e.ErrorMessage)));
        }

        _windowCount = GateData.Format(_windows.Length);
    }

    /// <inheritdoc />
    public string Name { get; }

    /// <inheritdoc />
    public ValueTask<GateDecision> EvaluateAsync(GateContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        var now = context.Now;
        CompiledFreezeWindow? hit = null;
        foreach (var window in _windows)
        {
            if ((hit is null || window.Verdict > hit.Verdict) && window.IsActive(now))
            {
                hit = window;
            }
        }

        if (hit is null)
        {
            return new(GateDecision.Allow(
                $"no change freeze is in effect at {GateData.Format(now)}",
                new GateData(new("windows", _windowCount), new("now", GateData.Format(now)))));
        }

        var local = TimeZoneInfo.ConvertTime(now, hit.Zone);
        var localText = local.ToString("yyyy-MM-dd'T'HH:mm:sszzz", CultureInfo.InvariantCulture);
        var data = new GateData(
            new("window", hit.Name),
            new("timeZone", hit.Zone.Id),
            new("localTime", localText),
            new("schedule", hit.Schedule),
            new("verdict", hit.Verdict == GateVerdict.Deny ? nameof(GateVerdict.Deny) : nameof(GateVerdict.RequireApproval)),
            new("now", GateData.Format(now)));
        var reason = $"change freeze '{hit.Name}' is in effect: {local.DayOfWeek} {localText} is within {hit.Schedule}";
        return new(hit.Verdict == GateVerdict.Deny ? GateDecision.Deny(reason, data) : GateDecision.RequireApproval(reason, data));
    }
}

/// <summary>Options of <see cref="ChangeFreezeGate"/>.</summary>
public sealed class ChangeFreezeGateOptions : GatePolicyOptions, IValidatableObject
{
    /// <inheritdoc />
    public override string Type => GateNames.ChangeFreeze;

    /// <summary>Gets or sets the freeze windows. Default: empty, which is a validation error: configure at least one.</summary>
    [Required]
    public IList<FreezeWindow> Windows { get; set; } = [];

    /// <inheritdoc />
    IEnumerable<ValidationResult> IValidatableObject.Validate(ValidationContext validationContext)
    {
        if (Windows is null)
        {
            return []; // [Required] reported it.
        }

        var results = new List<ValidationResult>();
        if (Windows.Count == 0)
        {
            results.Add(new ValidationResult("At least one freeze window is required.", [nameof(Windows)]));
        }

        for (var i = 0; i < Windows.Count; i++)
        {
            if (Windows[i] is null)
            {
                results.Add(new ValidationResult("The window is null.", [$"{nameof(Windows)}:{i}"]));
                continue;
            }

            CompiledFreezeWindow.TryCompile(Windows[i], i, results);
        }

        return results;
    }
}

/// <summary>
/// One change-freeze window: recurring (<see cref="Start"/> and <see cref="End"/> on <see cref="Days"/>, optionally only
/// between <see cref="From"/> and <see cref="To"/>) or one-off (only <see cref="From"/> and <see cref="To"/>). Read once
/// when the gate is created; not thread-safe while being changed.
/// </summary>
/// <example>
/// Every Friday from 16:00 to midnight in Berlin: <c>{ "Days": ["Friday"], "Start": "16:00", "End": "24:00", "TimeZone": "Europe/Berlin" }</c>.
/// A one-off freeze: <c>{ "Name": "year end", "From": "2025-12-24T00:00", "To": "2026-01-02T00:00", "TimeZone": "Europe/Berlin" }</c>.
/// </example>
public sealed class FreezeWindow
{
    /// <summary>Gets or sets the window's name, for the reason and the audit log. Default: <see langword="null"/>, which uses <c>window N</c> (its index).</summary>
    public string? Name { get; set; }

    /// <summary>
    /// Gets or sets the days on which a recurring window starts (a window that crosses midnight runs into the next day).
    /// Default: empty, which means every day.
    /// </summary>
    public IList<DayOfWeek> Days { get; set; } = [];

    /// <summary>
    /// Gets or sets when a recurring window starts, as a wall-clock time <c>HH:mm</c> or <c>HH:mm:ss</c> in
    /// <see cref="TimeZone"/> (inclusive). Default: <see langword="null"/> (a one-off window). Set with <see cref="End"/>.
    /// </summary>
    public string? Start { get; set; }

    /// <summary>
    /// Gets or sets when a recurring window ends, as <c>HH:mm</c> or <c>HH:mm:ss</c> in <see cref="TimeZone"/>
    /// (exclusive); <c>24:00</c> is the end of the day. An end before the start makes the window cross midnight.
    /// Default: <see langword="null"/>. Must differ from <see cref="Start"/>.
    /// </summary>
    public string? End { get; set; }

    /// <summary>
    /// Gets or sets the IANA time zone of <see cref="Start"/>, <see cref="End"/> and of <see cref="From"/> and
    /// <see cref="To"/> when they carry no offset (for example <c>Europe/Berlin</c>). Default: <c>UTC</c>.
    /// </summary>
    [Required]
    public string TimeZone { get; set; } = "UTC";

    /// <summary>
    /// Gets or sets when the window begins to apply (inclusive), as ISO 8601: with an offset (<c>2025-12-24T00:00:00+01:00</c>)
    /// it is that instant; without one it is a wall-clock time in <see cref="TimeZone"/> (the standard-time reading when
    /// ambiguous). Required for a one-off window. Default: <see langword="null"/>.
    /// </summary>
    public string? From { get; set; }

    /// <summary>Gets or sets when the window stops applying (exclusive), in the format of <see cref="From"/>. Required for a one-off window. Default: <see langword="null"/>.</summary>
    public string? To { get; set; }

    /// <summary>
    /// Gets or sets the verdict inside the window: <see cref="GateVerdict.Deny"/> or <see cref="GateVerdict.RequireApproval"/>
    /// (<see cref="GateVerdict.Allow"/> is a validation error). Default: <see cref="GateVerdict.Deny"/>.
    /// </summary>
    [EnumDataType(typeof(GateVerdict))]
    public GateVerdict Verdict { get; set; } = GateVerdict.Deny;
}

/// <summary>A validated <see cref="FreezeWindow"/> in the form the gate evaluates. Immutable.</summary>
internal sealed class CompiledFreezeWindow
{
    private const int AllDays = 0x7F;
    private static readonly TimeSpan Day = TimeSpan.FromDays(1);

    private readonly int _dayMask;
    private readonly TimeSpan? _start;
    private readonly TimeSpan? _end;
    private readonly DateTimeOffset? _from;
    private readonly DateTimeOffset? _to;

    private CompiledFreezeWindow(string name, TimeZoneInfo zone, int dayMask, TimeSpan? start, TimeSpan? end, DateTimeOffset? from, DateTimeOffset? to, GateVerdict verdict, string schedule)
    {
        Name = name;
        Zone = zone;
        _dayMask = dayMask;
        _start = start;
        _end = end;
        _from = from;
        _to = to;
        Verdict = verdict;
        Schedule = schedule;
    }

    public string Name { get; }

    public TimeZoneInfo Zone { get; }

    public GateVerdict Verdict { get; }

    /// <summary>Gets the window in words, for reasons: <c>Friday 16:00–24:00 Europe/Berlin</c>.</summary>
    public string Schedule { get; }

    /// <summary>Validates a window; returns it compiled, or <see langword="null"/> after adding the errors (members <c>Windows:i:Key</c>).</summary>
    public static CompiledFreezeWindow? TryCompile(FreezeWindow window, int index, List<ValidationResult> errors)
    {
        var before = errors.Count;
        var prefix = $"{nameof(ChangeFreezeGateOptions.Windows)}:{index}:";
        void Fail(string key, string message) => errors.Add(new ValidationResult(message, [prefix + key]));

        TimeZoneInfo? zone = null;
        if (string.IsNullOrWhiteSpace(window.TimeZone))
        {
            Fail(nameof(FreezeWindow.TimeZone), "The time zone is required (an IANA id such as Europe/Berlin, or UTC).");
        }
        else
        {
            try
            {
                zone = TimeZoneInfo.FindSystemTimeZoneById(window.TimeZone);
            }
            catch (Exception ex) when (ex is TimeZoneNotFoundException or InvalidTimeZoneException)
            {
                Fail(nameof(FreezeWindow.TimeZone), $"Unknown time zone '{window.TimeZone}'; use an IANA id such as Europe/Berlin, America/New_York or UTC.");
            }
        }

        if (window.Verdict is not (GateVerdict.Deny or GateVerdict.RequireApproval))
        {
            Fail(nameof(FreezeWindow.Verdict), $"The verdict inside a freeze window must be Deny or RequireApproval, not {window.Verdict}.");
        }

        var mask = 0;
        foreach (var day in window.Days ?? [])
        {
            if (day is < DayOfWeek.Sunday or > DayOfWeek.Saturday)
            {
                Fail(nameof(FreezeWindow.Days), $"{(int)day} is not a day of the week.");
                continue;
            }

            mask |= 1 << (int)day;
        }

        mask = mask == 0 ? AllDays : mask;

        TimeSpan? start = null, end = null;
        var recurring = window.Start is not null || window.End is not null;
        if (recurring)
        {
            start = ParseTimeOfDay(window.Start, allowEndOfDay: false, nameof(FreezeWindow.Start), Fail);
            end = ParseTimeOfDay(window.End, allowEndOfDay: true, nameof(FreezeWindow.End), Fail);
            if (start is { } s && end is { } e && s == e)
            {
                Fail(nameof(FreezeWindow.End), $"The end {window.End} equals the start; use 00:00 to 24:00 for a whole day.");
            }
        }

        DateTimeOffset? from = null, to = null;
        if (zone is not null)
        {
            from = ParseInstant(window.From, zone, nameof(FreezeWindow.From), Fail);
            to = ParseInstant(window.To, zone, nameof(FreezeWindow.To), Fail);
        }

        if (!recurring && (window.From is null || window.To is null))
        {
            Fail(window.From is null ? nameof(FreezeWindow.From) : nameof(FreezeWindow.To), "A window needs Start and End (recurring) or From and To (one-off).");
        }

        if (from is { } f && to is { } t && f >= t)
        {
            Fail(nameof(FreezeWindow.To), $"To ({window.To}) must be after From ({window.From}).");
        }

        if (errors.Count != before || zone is null)
        {
            return null;
        }

        var name = string.IsNullOrWhiteSpace(window.Name) ? $"window {index.ToString(CultureInfo.InvariantCulture)}" : window.Name;
        return new CompiledFreezeWindow(name, zone, mask, start, end, from, to, window.Verdict, Describe(mask, start, end, from, to, zone));
    }

    /// <summary>Whether the window is in effect at an instant.</summary>
    public bool IsActive(DateTimeOffset now)
    {
        if ((_from is { } from && now < from) || (_to is { } to && now >= to))
        {
            return false;
        }

        if (_start is not { } start || _end is not { } end)
        {
            return true; // One-off: the bounds are the window.
        }

        var local = TimeZoneInfo.ConvertTime(now, Zone);
        var time = local.TimeOfDay;
        var day = local.DayOfWeek;
        if (start < end)
        {
            return HasDay(day) && time >= start && time < end;
        }

        // Crosses midnight: the evening part on a listed day, or the morning part on the day after one.
        var previous = day == DayOfWeek.Sunday ? DayOfWeek.Saturday : day - 1;
        return (HasDay(day) && time >= start) || (HasDay(previous) && time < end);
    }

    private bool HasDay(DayOfWeek day) => (_dayMask & (1 << (int)day)) != 0;

    private static TimeSpan? ParseTimeOfDay(string? text, bool allowEndOfDay, string key, Action<string, string> fail)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            fail(key, "A recurring window needs both Start and End (HH:mm).");
            return null;
        }

        var trimmed = text.Trim();
        if (allowEndOfDay && trimmed is "24:00" or "24:00:00")
        {
            return Day;
        }

        if (TimeSpan.TryParseExact(trimmed, (string[])[@"h\:mm", @"h\:mm\:ss"], CultureInfo.InvariantCulture, out var value) && value >= TimeSpan.Zero && value < Day)
        {
            return value;
        }

        fail(key, $"'{text}' is not a time of day; use HH:mm or HH:mm:ss between 00:00 and {(allowEndOfDay ? "24:00" : "23:59:59")}.");
        return null;
    }

    private static DateTimeOffset? ParseInstant(string? text, TimeZoneInfo zone, string key, Action<string, string> fail)
    {
        if (text is null)
        {
            return null;
        }

        if (!DateTime.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind, out var parsed))
        {
            fail(key, $"'{text}' is not a date and time; use ISO 8601 such as 2025-12-24T18:00 (in the window's time zone) or 2025-12-24T18:00:00+01:00.");
            return null;
        }

        if (parsed.Kind != DateTimeKind.Unspecified)
        {
            return DateTimeOffset.Parse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal);
        }

        if (zone.IsInvalidTime(parsed))
        {
            fail(key, $"'{text}' does not exist in {zone.Id} (it falls in a daylight-saving gap).");
            return null;
        }

        return new DateTimeOffset(TimeZoneInfo.ConvertTimeToUtc(parsed, zone), TimeSpan.Zero);
    }

    private static string Describe(int mask, TimeSpan? start, TimeSpan? end, DateTimeOffset? from, DateTimeOffset? to, TimeZoneInfo zone)
    {
        var parts = new List<string>(3);
        if (start is { } s && end is { } e)
        {
            var days = mask == AllDays ? "every day" : string.Join(",", Enumerable.Range(0, 7).Where(d => (mask & (1 << d)) != 0).Select(d => ((DayOfWeek)d).ToString()));
            parts.Add($"{days} {Clock(s)}–{Clock(e)}{(s > e ? " (next day)" : string.Empty)} {zone.Id}");
        }

        if (from is not null || to is not null)
        {
            parts.Add($"[{(from is { } f ? GateData.Format(f) : "…")}, {(to is { } t ? GateData.Format(t) : "…")})");
        }

        return string.Join(" within ", parts);
    }

    private static string Clock(TimeSpan time) => time == Day
        ? "24:00"
        : time.Seconds == 0
            ? time.ToString(@"hh\:mm", CultureInfo.InvariantCulture)
            : time.ToString(@"hh\:mm\:ss", CultureInfo.InvariantCulture);
}
