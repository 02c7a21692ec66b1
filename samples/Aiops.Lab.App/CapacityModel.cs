namespace Aiops.Lab.App;

/// <summary>Settings of <see cref="CapacityModel"/>; every duration is in seconds.</summary>
/// <param name="CapacityRps">Requests per second served without queueing.</param>
/// <param name="BurstSeconds">Spare capacity (tokens, in seconds of capacity) that absorbs a burst.</param>
/// <param name="MaxBacklogSeconds">Backlog (seconds of capacity) at which requests are shed.</param>
/// <param name="ResumeBacklogSeconds">Backlog (seconds of capacity) below which shedding stops.</param>
/// <param name="MaxQueueDelaySeconds">Cap of the queueing delay of one request.</param>
public sealed record CapacityOptions(
    double CapacityRps = 60, double BurstSeconds = 2, double MaxBacklogSeconds = 12, double ResumeBacklogSeconds = 2, double MaxQueueDelaySeconds = 1)
{
    /// <summary>Throws <see cref="ArgumentOutOfRangeException"/> naming the first invalid setting.</summary>
    public void Validate()
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(CapacityRps);
        ArgumentOutOfRangeException.ThrowIfNegative(BurstSeconds);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(MaxBacklogSeconds);
        ArgumentOutOfRangeException.ThrowIfNegative(ResumeBacklogSeconds);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(ResumeBacklogSeconds, MaxBacklogSeconds);
        ArgumentOutOfRangeException.ThrowIfNegative(MaxQueueDelaySeconds);
    }
}

/// <summary>What the capacity model decided for one arriving request.</summary>
/// <param name="Shed">True when the request must be rejected (503) at once.</param>
/// <param name="QueueDelay">How long the request waits behind the backlog before it is served.</param>
public readonly record struct Admission(bool Shed, TimeSpan QueueDelay);

/// <summary>
/// A token/backlog model of checkout's capacity. Capacity accrues continuously at <c>CapacityRps</c>: it first serves the
/// backlog, then refills a bucket of spare tokens (at most <c>BurstSeconds</c> worth). An arriving request takes a token
/// when one is there (no wait); otherwise it joins the backlog and waits backlog/capacity seconds (capped). When the
/// backlog reaches <c>MaxBacklogSeconds</c> worth, requests are shed (503) until it drains below
/// <c>ResumeBacklogSeconds</c> worth. So a surge above capacity shows, in order: more traffic at once, latency once the
/// burst tokens are spent, and 503s only once the backlog is full.
/// </summary>
public sealed class CapacityModel
{
    private readonly Lock _lock = new();
    private readonly TimeProvider _time;
    private readonly double _capacity;
    private readonly double _maxTokens;
    private readonly double _maxBacklog;
    private readonly double _resumeBacklog;
    private readonly double _maxDelay;
    private long _last;
    private double _tokens;
    private double _backlog;
    private bool _shedding;

    /// <summary>Creates the model with a full bucket and no backlog.</summary>
    public CapacityModel(CapacityOptions options, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(time);
        options.Validate();
        _time = time;
        _capacity = options.CapacityRps;
        _maxTokens = options.BurstSeconds * options.CapacityRps;
        _maxBacklog = options.MaxBacklogSeconds * options.CapacityRps;
        _resumeBacklog = options.ResumeBacklogSeconds * options.CapacityRps;
        _maxDelay = options.MaxQueueDelaySeconds;
        _tokens = _maxTokens;
        _last = time.GetTimestamp();
    }

    /// <summary>Requests waiting to be served, now.</summary>
    public double Backlog
    {
        get
        {
            lock (_lock)
            {
                Accrue();
                return _backlog;
            }
        }
    }

    /// <summary>Spare tokens, now.</summary>
    public double Tokens
    {
        get
        {
            lock (_lock)
            {
                Accrue();
                return _tokens;
            }
        }
    }

    /// <summary>True while requests are being shed.</summary>
    public bool Shedding
    {
        get
        {
            lock (_lock)
            {
                Accrue();
                return _shedding;
            }
        }
    }

    /// <summary>Admits (or sheds) one request arriving now.</summary>
    public Admission Admit()
    {
        lock (_lock)
        {
            Accrue();
            if (_shedding)
            {
                return new Admission(true, TimeSpan.Zero);
            }

            if (_backlog <= 0 && _tokens >= 1)
            {
                _tokens -= 1;
                return new Admission(false, TimeSpan.Zero);
            }

            // Fractional tokens count as work already served; the rest of the request waits.
            var delay = Math.Min(_maxDelay, _backlog / _capacity);
            _backlog += 1 - _tokens;
            _tokens = 0;
            if (_backlog >= _maxBacklog)
            {
                _shedding = true;
            }

            return new Admission(false, TimeSpan.FromSeconds(delay));
        }
    }

    private void Accrue()
    {
        var now = _time.GetTimestamp();
        var elapsed = Math.Max(0, (now - _last) / (double)_time.TimestampFrequency);
        _last = now;
        var service = elapsed * _capacity;
        var served = Math.Min(_backlog, service);
        _backlog -= served;
        _tokens = Math.Min(_maxTokens, _tokens + (service - served));
        if (_shedding && _backlog <= _resumeBacklog)
        {
            _shedding = false;
        }
    }
}
