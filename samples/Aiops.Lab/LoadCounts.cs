namespace Aiops.Lab;

/// <summary>What a load saw since it was last taken: requests sent, answers by class, failures and latencies. Thread-safe.</summary>
internal sealed class LoadCounts
{
    private readonly Lock _gate = new();
    private readonly List<double> _latencies = [];
    private int _sent;
    private int _ok;
    private int _serverErrors;
    private int _failed;

    /// <summary>Counts a request started.</summary>
    public void Sent()
    {
        lock (_gate)
        {
            _sent++;
        }
    }

    /// <summary>Counts an answer: 5xx as a server error, 2xx as ok, anything else as failed.</summary>
    public void Answered(int status, double milliseconds)
    {
        lock (_gate)
        {
            _latencies.Add(milliseconds);
            if (status >= 500)
            {
                _serverErrors++;
            }
            else if (status is >= 200 and < 300)
            {
                _ok++;
            }
            else
            {
                _failed++;
            }
        }
    }

    /// <summary>Counts a request that got no answer, or was not sent.</summary>
    public void Failed()
    {
        lock (_gate)
        {
            _failed++;
        }
    }

    /// <summary>Takes the counts and the 95th percentile latency since the last call, and starts over.</summary>
    public LoadSecond Take(double rate)
    {
        lock (_gate)
        {
            var p95 = 0d;
            if (_latencies.Count > 0)
            {
                _latencies.Sort();
                p95 = _latencies[(int)Math.Ceiling(0.95 * _latencies.Count) - 1];
            }

            var taken = new LoadSecond(rate, _sent, _ok, _serverErrors, _failed, p95);
            _latencies.Clear();
            (_sent, _ok, _serverErrors, _failed) = (0, 0, 0, 0);
            return taken;
        }
    }
}
