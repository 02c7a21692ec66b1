using System.Numerics;
using Aiops.Detection.Internal;
using BenchmarkDotNet.Attributes;
using MathNet.Numerics.IntegralTransforms;

namespace Aiops.Benchmarks;

/// <summary>
/// Why Spectral Residual has its own kernel: the saliency of the newest point of a 64-point window with 5 look-ahead
/// points, computed (a) by <see cref="SrSaliency"/>'s sliding DFT and (b) the textbook way with MathNet.Numerics' FFT
/// (forward transform, log amplitude, 3-point average, inverse transform on a preallocated buffer). Per point.
/// Run: <c>dotnet run -c Release --project benchmarks/Aiops.Benchmarks -- --filter '*SpectralResidualKernel*'</c>.
/// </summary>
[MemoryDiagnoser]
public class SpectralResidualKernelBenchmarks
{
    private const int Points = 10_000;
    private const int Window = 64;
    private const int Lookahead = 5;
    private const int Frame = Window + Lookahead;
    private readonly double[] _values = new double[Points + Window];
    private readonly Complex[] _spectrum = new Complex[Frame];
    private readonly double[] _logAmplitude = new double[Frame];
    private SrSaliency _kernel = null!;

    /// <summary>Builds the series and fills the sliding kernel's window.</summary>
    [GlobalSetup]
    public void Setup()
    {
        var random = new Random(7);
        for (var i = 0; i < _values.Length; i++)
        {
            _values[i] = 100 + (10 * Math.Sin(2 * Math.PI * i / 48)) + random.NextDouble();
        }

        _kernel = new SrSaliency(Window, Lookahead, 5);
        for (var i = 0; i < Window; i++)
        {
            _kernel.Push(_values[i]);
        }
    }

    /// <summary>The sliding-DFT kernel the detector uses.</summary>
    /// <returns>A checksum.</returns>
    [Benchmark(Baseline = true, OperationsPerInvoke = Points)]
    public double SlidingDft()
    {
        double sum = 0;
        for (var i = Window; i < _values.Length; i++)
        {
            sum += _kernel.Push(_values[i]);
        }

        return sum;
    }

    /// <summary>The same saliency with MathNet's FFT over the whole frame at every point.</summary>
    /// <returns>A checksum.</returns>
    [Benchmark(OperationsPerInvoke = Points)]
    public double MathNetFft()
    {
        double sum = 0;
        for (var i = Window; i < _values.Length; i++)
        {
            sum += FftSaliency(i);
        }

        return sum;
    }

    private double FftSaliency(int end)
    {
        var start = end - Window + 1;
        for (var j = 0; j < Window; j++)
        {
            _spectrum[j] = new Complex(_values[start + j], 0);
        }

        // The paper's look-ahead: the average gradient of the last m points, extrapolated and repeated.
        var last = _values[end - 1];
        var gradient = (last - _values[end - 6]) / 5;
        for (var j = Window; j < Frame; j++)
        {
            _spectrum[j] = new Complex(last + (gradient * 5), 0);
        }

        Fourier.Forward(_spectrum, FourierOptions.Matlab);
        for (var k = 0; k < Frame; k++)
        {
            _logAmplitude[k] = Math.Log(Math.Max(_spectrum[k].Magnitude, 1e-300));
        }

        for (var k = 0; k < Frame; k++)
        {
            var average = (_logAmplitude[(k + Frame - 1) % Frame] + _logAmplitude[k] + _logAmplitude[(k + 1) % Frame]) / 3;
            _spectrum[k] *= Math.Exp(-average);
        }

        Fourier.Inverse(_spectrum, FourierOptions.Matlab);
        return _spectrum[Window - 1].Magnitude;
    }
}
