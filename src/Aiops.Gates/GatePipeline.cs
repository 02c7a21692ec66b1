using System.ComponentModel.DataAnnotations;
using Aiops.Gates.Internal;
using Microsoft.Extensions.Logging;

namespace Aiops.Gates;

/// <summary>
/// Runs an ordered list of <see cref="IGatePolicy"/> gates over a proposal and combines their verdicts: deny wins over
/// require-approval, which wins over allow (<see cref="GateDecision.Strictest"/>).
/// </summary>
/// <remarks>
/// <para>
/// Every gate is evaluated, even after one denies, so the decision records every verdict. Gates run one after another, in
/// order, each under its own timeout (<see cref="GatePipelineOptions.GateTimeout"/>, on the pipeline's
/// <see cref="TimeProvider"/>). A gate that throws, exceeds its timeout or returns an uninitialised decision denies (fail
/// closed): its evaluation carries <see cref="GateEvaluation.Failure"/> (exception type and message), and the failure is
/// logged and counted (<c>aiops.gates.failures</c>). A pipeline without gates requires approval: no gate is not a licence.
/// </para>
/// <para>Thread-safe: the pipeline holds no mutable state; concurrent evaluations are independent.</para>
/// </remarks>
public sealed class GatePipeline
{
    /// <summary>The name of the synthetic evaluation recorded when the pipeline has no gates.</summary>
    public const string EmptyPipelineGateName = "pipeline";

    private readonly IGatePolicy[] _gates;
    private readonly string[] _names;
    private readonly GatePipelineOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly GatesTelemetry _telemetry;

    /// <summary>Initializes a new instance of the <see cref="GatePipeline"/> class.</summary>
    /// <param name="gates">The gates, in evaluation order; may be empty (every proposal then requires approval).</param>
    /// <param name="options">The options; <see langword="null"/> uses the defaults.</param>
    /// <param name="timeProvider">The clock for gate timeouts and elapsed times; <see langword="null"/> uses <see cref="TimeProvider.System"/>.</param>
    /// <param name="logger">Where gate failures are logged; <see langword="null"/> logs nothing.</param>
    /// <exception cref="ArgumentNullException"><paramref name="gates"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException">A gate is <see langword="null"/>.</exception>
    /// <exception cref="ValidationException">An option is out of range.</exception>
    public GatePipeline(IEnumerable<IGatePolicy> gates, GatePipelineOptions? options = null, TimeProvider? timeProvider = null, ILogger<GatePipeline>? logger = null)
    {
        ArgumentNullException.ThrowIfNull(gates);
        _gates = [.. gates];
        if (Array.IndexOf(_gates, null) >= 0)
        {
            throw new ArgumentException("A gate is null.", nameof(gates));
        }

        _names = [.. _gates.Select(g => string.IsNullOrWhiteSpace(g.Name) ? g.GetType().Name : g.Name)];
        _options = options ?? new GatePipelineOptions();
        Aiops.Detection.Internal.OptionsValidator.ThrowIfInvalid(_options);
        _time = timeProvider ?? TimeProvider.System;
        _logger = NonThrowingLogger.Wrap(logger);
        _telemetry = _options.Telemetry ?? GatesTelemetry.Shared;
    }

    /// <summary>Gets the gates, in evaluation order.</summary>
    public IReadOnlyList<IGatePolicy> Gates => _gates;

    /// <summary>
    /// Evaluates every gate on a proposal. Never throws for a misbehaving gate (it denies instead); throws only when
    /// <paramref name="cancellationToken"/> is cancelled.
    /// </summary>
    /// <param name="proposal">The proposal.</param>
    /// <param name="history">What has been executed, for rate limits, cooldowns and concurrency.</param>
    /// <param name="now">The decision time the gates judge at.</param>
    /// <param name="cancellationToken">Cancels the evaluation (the caller gives up; nothing is decided).</param>
    /// <returns>Every gate's evaluation in order and the final (strictest) verdict.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="proposal"/> or <paramref name="history"/> is <see langword="null"/>.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    public async ValueTask<GatePipelineResult> EvaluateAsync(RemediationProposal proposal, IExecutionHistory history, DateTimeOffset now, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(proposal);
        ArgumentNullException.ThrowIfNull(history);
        cancellationToken.ThrowIfCancellationRequested();
        if (_gates.Length == 0)
        {
            Log.NoGatesConfigured(_logger, proposal.IdempotencyKey ?? string.Empty);
            _telemetry.Evaluation(EmptyPipelineGateName, GateVerdict.RequireApproval);
            return new GatePipelineResult(
                GateVerdict.RequireApproval,
                [new GateEvaluation(EmptyPipelineGateName, GateVerdict.RequireApproval, "no gates configured: a person must approve (safety first)", null, TimeSpan.Zero)]);
        }

        var context = new GateContext(proposal, now, history);
        var evaluations = new GateEvaluation[_gates.Length];
        var verdict = GateVerdict.Allow;
        for (var i = 0; i < _gates.Length; i++)
        {
            var evaluation = await EvaluateGateAsync(_gates[i], _names[i], context, cancellationToken).ConfigureAwait(false);
            evaluations[i] = evaluation;
            verdict = GateDecision.Strictest(verdict, evaluation.Verdict);
            _telemetry.Evaluation(evaluation.Gate, evaluation.Verdict);
        }

        return new GatePipelineResult(verdict, evaluations);
    }

    private async ValueTask<GateEvaluation> EvaluateGateAsync(IGatePolicy gate, string name, GateContext context, CancellationToken cancellationToken)
    {
        var started = _time.GetTimestamp();
        using var timeout = new CancellationTokenSource(_options.GateTimeout, _time);
        using var linked = cancellationToken.CanBeCanceled ? CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token) : null;
        var token = linked?.Token ?? timeout.Token;
        GateDecision decision;
        try
        {
            var pending = gate.EvaluateAsync(context, token);

            // A gate that ignores its token is abandoned at the timeout all the same (WaitAsync), and fails closed.
            decision = pending.IsCompletedSuccessfully ? pending.Result : await pending.AsTask().WaitAsync(token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw;
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested)
        {
            var failure = $"{typeof(TimeoutException).FullName}: the gate did not answer within {_options.GateTimeout}";
            return Failed(name, "timeout", $"gate timed out after {_options.GateTimeout}: fail closed", failure, context, started, null);
        }
        catch (Exception ex)
        {
            return Failed(name, "exception", "gate threw: fail closed", $"{ex.GetType().FullName}: {ex.Message}", context, started, ex);
        }

        if (decision.Reason is null || !Enum.IsDefined(decision.Verdict))
        {
            var failure = $"{typeof(InvalidOperationException).FullName}: the gate returned an uninitialised or invalid decision (verdict {(int)decision.Verdict})";
            return Failed(name, "invalid_result", "gate returned no valid verdict: fail closed", failure, context, started, null);
        }

        return new GateEvaluation(name, decision.Verdict, decision.Reason, decision.Data, _time.GetElapsedTime(started));
    }

    private GateEvaluation Failed(string name, string kind, string reason, string failure, GateContext context, long started, Exception? exception)
    {
        Log.GateFailed(_logger, name, kind, context.Proposal.IdempotencyKey ?? string.Empty, failure, exception);
        _telemetry.Failure(name, kind);
        return new GateEvaluation(name, GateVerdict.Deny, reason, null, _time.GetElapsedTime(started), failure);
    }
}

/// <summary>What the pipeline concluded about a proposal.</summary>
/// <param name="Verdict">The final verdict: the strictest of the evaluations.</param>
/// <param name="Evaluations">Every gate's evaluation, in pipeline order.</param>
public readonly record struct GatePipelineResult(GateVerdict Verdict, IReadOnlyList<GateEvaluation> Evaluations);

/// <summary>Options of <see cref="GatePipeline"/>. Read once when the pipeline is created.</summary>
public sealed class GatePipelineOptions
{
    /// <summary>
    /// Gets or sets how long one gate may take before it is cancelled and counted as a deny (fail closed).
    /// Default: 1 second. Range: [1 ms, 5 minutes].
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00.001", "00:05:00")]
    public TimeSpan GateTimeout { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Gets or sets where the pipeline counts evaluations and failures. Default: <see langword="null"/> (<see cref="GatesTelemetry.Shared"/>).</summary>
    public GatesTelemetry? Telemetry { get; set; }
}
