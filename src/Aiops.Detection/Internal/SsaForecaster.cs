using MathNet.Numerics.LinearAlgebra;
using MathNet.Numerics.LinearAlgebra.Factorization;
using SimdVector = System.Numerics.Vector;

namespace Aiops.Detection.Internal;

/// <summary>
/// One-step-ahead Singular Spectrum Analysis forecaster (the recurrent SSA forecast that ML.NET's SSA detectors build on,
/// <c>AdaptiveSingularSpectrumSequenceModeler</c>): training embeds the series in the L × K trajectory (Hankel) matrix,
/// eigendecomposes its lag-covariance, keeps an orthonormal basis P_1..P_r of the signal subspace and derives the linear
/// recurrent formula x̂_{n+1} = Σ_{j=1}^{L-1} a_j·x_{n-L+1+j} with a = (1 / (1 - ν²))·Σ_i π_i·P_i^∇, where π_i is the last
/// component of P_i, P_i^∇ its first L - 1 components and ν² = Σ_i π_i² (Golyandina, Nekrutkin &amp; Zhigljavsky, 2001,
/// §2.1).
/// </summary>
/// <remarks>
/// <para>
/// Level: the trajectory matrix is centred on the training mean before the eigendecomposition, and the level gets its own
/// basis vector, the constant 1/√L, ahead of the leading eigenvectors (each made orthogonal to the basis so far; a
/// trend's eigenvectors share the level direction). So every formula reproduces constants (Σ a_j = 1): after a level
/// shift the forecast error jumps and then the forecast catches up within L - 1 points. Centring also keeps a large level
/// (say 10⁶ around a ±1 season) from drowning the seasonal components in rounding, which an uncentred decomposition does.
/// </para>
/// <para>
/// Rank, which counts the level: with rank 0 the forecaster tries r = 1..⌈L / 2⌉ (at most L - 1) and keeps the smallest r
/// whose mean squared one-step error over the training series (its last max(4·L, 1000) forecasts) is within 5 % of the
/// best one. The share of explained variance is not used: on noisy series it asks for most of the noise components, which
/// the formula then amplifies. So a constant series gets rank 1 (the mean of the last L - 1 values), a linear trend 2 and a
/// sine around a level 3. Eigenvalues below 1e-13 of the largest are numerical noise and are never used. Ranks that would
/// push ν² to 0.9 or more are not used either: the formula's noise gain |a|² = ν² / (1 - ν²) would exceed 9.
/// </para>
/// <para>
/// <see cref="Train"/> allocates and costs O(L·K + L³ + r·L·min(K, max(4·L, 1000))) once (about 0.4 s for L = 512 and
/// 100 000 training points); <see cref="Predict"/> (O(L)) and <see cref="Observe"/> (O(1)) do not allocate.
/// Not thread-safe.
/// </para>
/// </remarks>
internal sealed partial class SsaForecaster
{
    /// <summary>Largest ν² a rank may reach; beyond it the recurrent formula amplifies noise more than 9-fold.</summary>
    private const double MaxVerticality = 0.9;

    /// <summary>The automatic rank is the smallest whose training error is within this fraction of the best.</summary>
    private const double RankTolerance = 0.05;

    /// <summary>Eigenvalues below this fraction of the largest are treated as zero.</summary>
    private const double SignificantEigenvalue = 1e-13;

    /// <summary>The largest lag-covariance entry decomposed as it is: the eigendecomposition squares entries and sums the squares.</summary>
    private const double LargestDecomposableEntry = 1e150;

    private readonly int _windowSize;
    private readonly int _trainingSize;
    private readonly int _requestedRank;
    private readonly double[] _coefficients;

    // The last L - 1 observations, oldest first from _next, written twice so that they are always one contiguous span.
    private readonly double[] _ring;
    private int _next;

    /// <summary>Initializes a new instance of the <see cref="SsaForecaster"/> class.</summary>
    /// <param name="windowSize">L, the embedding dimension (about one seasonal cycle); at least 2.</param>
    /// <param name="trainingSize">How many points <see cref="Train"/> uses; at least 2·L.</param>
    /// <param name="rank">The number of basis vectors kept, the level included (1 = the level only), or 0 to choose it from the training data.</param>
    public SsaForecaster(int windowSize, int trainingSize, int rank = 0)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(windowSize, 2);
        ArgumentOutOfRangeException.ThrowIfLessThan(trainingSize, 2 * windowSize);
        ArgumentOutOfRangeException.ThrowIfNegative(rank);

        _windowSize = windowSize;
        _trainingSize = trainingSize;
        _requestedRank = rank;
        _coefficients = new double[windowSize - 1];
        _ring = new double[2 * (windowSize - 1)];
    }

    /// <summary>Gets L, the embedding dimension.</summary>
    public int WindowSize => _windowSize;

    /// <summary>Gets the number of points <see cref="Train"/> uses.</summary>
    public int TrainingSize => _trainingSize;

    /// <summary>Gets a value indicating whether <see cref="Train"/> has run, so that <see cref="Predict"/> forecasts.</summary>
    public bool IsTrained { get; private set; }

    /// <summary>Gets the number of basis vectors the trained formula uses, the level included; 0 before training.</summary>
    public int Rank { get; private set; }

    /// <summary>Gets the recurrent-formula coefficients a_1..a_{L-1}; a_1 weighs the oldest of the last L - 1 values.</summary>
    public ReadOnlySpan<double> Coefficients => _coefficients;

    /// <summary>Gets the bytes held by this instance: its two arrays (contents and headers) and its fields.</summary>
    public int StateSizeBytes => ((_coefficients.Length + _ring.Length) * sizeof(double)) + (2 * 24) + 48;

    /// <summary>
    /// Trains the recurrent formula on the last <see cref="TrainingSize"/> values of <paramref name="history"/> and primes the
    /// forecaster with its last L - 1 values, so that <see cref="Predict"/> then forecasts the value after the history.
    /// May be called again to retrain. Allocates.
    /// </summary>
    /// <param name="history">The series so far, oldest first; finite values.</param>
    /// <exception cref="ArgumentException"><paramref name="history"/> is shorter than <see cref="TrainingSize"/> or has a non-finite value.</exception>
    /// <exception cref="ArithmeticException">The formula cannot be fitted (values so close to ±double.MaxValue that even the scaled fit fails).</exception>
    public void Train(ReadOnlySpan<double> history)
    {
        if (history.Length < _trainingSize)
        {
            throw new ArgumentException($"Training needs {_trainingSize} values; got {history.Length}.", nameof(history));
        }

        var x = history[^_trainingSize..];
        foreach (var value in x)
        {
            if (!double.IsFinite(value))
            {
                throw new ArgumentException("Training values must be finite.", nameof(history));
            }
        }

        Rank = FitAtAnyScale(x);

        var m = _windowSize - 1;
        for (var j = 0; j < m; j++)
        {
            _ring[j] = _ring[j + m] = x[x.Length - m + j];
        }

        _next = 0;
        IsTrained = true;
    }

    /// <summary>
    /// Fits the formula on <paramref name="x"/>; when that fails (values beyond ~1e150, whose squares overflow: the
    /// eigendecomposition throws, or the formula is not finite), fits it again on the series scaled by the power of two that
    /// brings its largest value near 1. The formula is linear, so it forecasts the series itself as well; an ordinary series
    /// is fitted as it always was.
    /// </summary>
    /// <exception cref="ArithmeticException">The series cannot be fitted at any scale.</exception>
    private int FitAtAnyScale(ReadOnlySpan<double> x)
    {
        if (TryFit(x, out var rank))
        {
            return rank;
        }

        var largest = 0.0;
        foreach (var value in x)
        {
            largest = Math.Max(largest, Math.Abs(value));
        }

        if (!(largest > 0) || !double.IsFinite(largest))
        {
            throw new ArithmeticException("The SSA formula cannot be fitted to the training values.");
        }

        var scale = Math.ScaleB(1.0, -Math.ILogB(largest));
        var scaled = new double[x.Length];
        for (var i = 0; i < x.Length; i++)
        {
            scaled[i] = x[i] * scale;
        }

        return TryFit(scaled, out rank) ? rank : throw new ArithmeticException("The SSA formula cannot be fitted to the training values.");
    }

    private bool TryFit(ReadOnlySpan<double> x, out int rank)
    {
        try
        {
            rank = Fit(x, _windowSize, _requestedRank, _coefficients);
        }
        catch (Exception e) when (e is ArithmeticException or IndexOutOfRangeException or InvalidOperationException)
        {
            rank = 0;
            return false;
        }

        foreach (var a in _coefficients)
        {
            if (!double.IsFinite(a))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>Forecasts the value after the last observed one: Σ a_j·x_{n-L+1+j}. Does not allocate.</summary>
    /// <returns>The forecast, or <see cref="double.NaN"/> before <see cref="Train"/>.</returns>
    public double Predict()
    {
        if (!IsTrained)
        {
            return double.NaN;
        }

        var a = _coefficients.AsSpan();
        var window = _ring.AsSpan(_next, a.Length);
        var i = 0;
        double sum = 0;
        if (SimdVector.IsHardwareAccelerated && a.Length >= 2 * System.Numerics.Vector<double>.Count)
        {
            var acc = System.Numerics.Vector<double>.Zero;
            for (; i <= a.Length - System.Numerics.Vector<double>.Count; i += System.Numerics.Vector<double>.Count)
            {
                acc += new System.Numerics.Vector<double>(a[i..]) * new System.Numerics.Vector<double>(window[i..]);
            }

            sum = SimdVector.Sum(acc);
        }

        for (; i < a.Length; i++)
        {
            sum += a[i] * window[i];
        }

        return sum;
    }

    /// <summary>Records the actual value that followed, so that <see cref="Predict"/> moves one step on. Does not allocate.</summary>
    /// <param name="value">The observed, finite value.</param>
    public void Observe(double value)
    {
        var m = _windowSize - 1;
        _ring[_next] = _ring[_next + m] = value;
        _next = _next + 1 == m ? 0 : _next + 1;
    }

    /// <summary>Computes the coefficients for <paramref name="x"/> and returns the rank used, the level included.</summary>
    private static int Fit(ReadOnlySpan<double> x, int l, int requestedRank, double[] coefficients)
    {
        var m = l - 1;
        var maxRank = Math.Min(requestedRank > 0 ? requestedRank : (l + 1) / 2, m);

        // The basis starts with the level, the unit vector 1/√L. Its formula alone is the mean of the last L - 1 values.
        var basis = new List<double[]> { Enumerable.Repeat(1 / Math.Sqrt(l), l).ToArray() };
        var nu2 = 1.0 / l;
        var sum = Enumerable.Repeat(1.0 / l, m).ToArray(); // Σ_i π_i·P_i^∇
        var evaluated = Math.Min(x.Length - m, Math.Max(4 * l, 1000));
        var candidates = new List<(int Rank, double[] A, double Error)>();
        AddCandidate(x);

        // Then the leading eigenvectors of the centred lag-covariance, made orthogonal to the basis so far (the level
        // direction, in particular, which a trend's eigenvectors share); dependent directions are skipped.
        var covariance = LagCovariance(x, l);
        var trace = covariance.Trace();
        if (trace > 0 && double.IsFinite(trace) && basis.Count < maxRank)
        {
            var evd = EvdInRange(covariance);
            var eigenvalues = evd.EigenValues.Select(e => e.Real).ToArray();
            var vectors = evd.EigenVectors;
            var largest = eigenvalues.Max();
            foreach (var column in Enumerable.Range(0, l).OrderByDescending(i => eigenvalues[i]))
            {
                if (basis.Count >= maxRank || eigenvalues[column] <= SignificantEigenvalue * largest)
                {
                    break;
                }

                var direction = vectors.Column(column).ToArray();
                foreach (var b in basis)
                {
                    var dot = 0.0;
                    for (var j = 0; j < l; j++)
                    {
                        dot += b[j] * direction[j];
                    }

                    for (var j = 0; j < l; j++)
                    {
                        direction[j] -= dot * b[j];
                    }
                }

                var norm = Math.Sqrt(direction.Sum(d => d * d));
                if (norm < 1e-6)
                {
                    continue;
                }

                for (var j = 0; j < l; j++)
                {
                    direction[j] /= norm;
                }

                var pi = direction[l - 1];
                if (nu2 + (pi * pi) >= MaxVerticality)
                {
                    break;
                }

                nu2 += pi * pi;
                for (var j = 0; j < m; j++)
                {
                    sum[j] += pi * direction[j];
                }

                basis.Add(direction);
                AddCandidate(x);
            }
        }

        var chosen = candidates[^1];
        if (requestedRank == 0)
        {
            var best = candidates.Min(c => c.Error);
            var bound = (best * (1 + RankTolerance)) + (1e-12 * trace / covariance.RowCount / (x.Length - m));
            chosen = candidates.First(c => c.Error <= bound);
        }

        Array.Copy(chosen.A, coefficients, m);
        return chosen.Rank;

        // A fixed rank takes the largest admissible formula up to it, so its error is not needed.
        void AddCandidate(ReadOnlySpan<double> series)
        {
            var a = new double[m];
            for (var j = 0; j < m; j++)
            {
                a[j] = sum[j] / (1 - nu2);
            }

            candidates.Add((basis.Count, a, requestedRank > 0 ? 0 : TrainingError(series, a, evaluated)));
        }
    }

    /// <summary>
    /// The lag-covariance Y·Yᵀ of the L × K trajectory matrix of the centred series y = x - mean(x),
    /// C_ij = Σ_{c=0}^{K-1} y_{i+c}·y_{j+c}, in O(L·K + L²): the first row directly, every other entry from its upper-left
    /// neighbour, C_{i+1,j+1} = C_ij - y_i·y_j + y_{i+K}·y_{j+K}. Centring keeps a large level from swamping the
    /// fluctuations with rounding; the level has its own basis vector.
    /// </summary>
    /// <summary>
    /// The eigendecomposition of the lag-covariance. Its algorithm squares entries, so a covariance with entries beyond
    /// <see cref="LargestDecomposableEntry"/> (series beyond ~1e75) is first scaled by a power of two that brings its largest
    /// entry near 1: the eigenvectors are the same, the eigenvalues scale with it (and are only compared with each other).
    /// Only then: the covariance of an ordinary series is decomposed as it always was.
    /// </summary>
    private static Evd<double> EvdInRange(Matrix<double> covariance)
    {
        var largest = covariance.Enumerate().Max(Math.Abs);
        if (largest > LargestDecomposableEntry && double.IsFinite(largest))
        {
            covariance = covariance * Math.ScaleB(1.0, -Math.ILogB(largest));
        }

        return covariance.Evd(Symmetricity.Symmetric);
    }

    private static Matrix<double> LagCovariance(ReadOnlySpan<double> x, int l)
    {
        var n = x.Length;
        var k = n - l + 1;
        double mean = 0;
        foreach (var value in x)
        {
            mean += value;
        }

        mean /= n;
        var y = new double[n];
        for (var t = 0; t < n; t++)
        {
            y[t] = x[t] - mean;
        }

        var c = new double[l, l];
        for (var j = 0; j < l; j++)
        {
            double s = 0;
            for (var t = 0; t < k; t++)
            {
                s += y[t] * y[j + t];
            }

            c[0, j] = s;
        }

        for (var i = 0; i < l - 1; i++)
        {
            for (var j = i; j < l - 1; j++)
            {
                c[i + 1, j + 1] = c[i, j] - (y[i] * y[j]) + (y[i + k] * y[j + k]);
            }
        }

        return Matrix<double>.Build.Dense(l, l, (i, j) => i <= j ? c[i, j] : c[j, i]);
    }

    /// <summary>
    /// Mean squared one-step error of the formula <paramref name="a"/> over the last <paramref name="count"/> forecasts the
    /// training series allows.
    /// </summary>
    private static double TrainingError(ReadOnlySpan<double> x, double[] a, int count)
    {
        var m = a.Length;
        double total = 0;
        for (var t = x.Length - count; t < x.Length; t++)
        {
            double forecast = 0;
            for (var j = 0; j < m; j++)
            {
                forecast += a[j] * x[t - m + j];
            }

            var e = x[t] - forecast;
            total += e * e;
        }

        return total / count;
    }
}
