using System.Buffers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Aiops.Correlation;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Options;
using Microsoft.Net.Http.Headers;

namespace Aiops.Hosting.Alertmanager;

/// <summary>
/// Handles Alertmanager's version "4" webhook: authentication, body limit, validation, duplicate detection and the
/// write of one <see cref="AlertSignal"/> per alert. One instance serves every request; thread-safe.
/// </summary>
internal sealed class AlertmanagerWebhookHandler
{
    private const int InitialBufferBytes = 16 * 1024;
    private const long ServerLimitHeadroomBytes = 1024 * 1024;
    private const string BearerChallenge = "Bearer realm=\"aiops\"";
    private const string BasicChallenge = "Basic realm=\"aiops\", charset=\"UTF-8\"";

    private readonly AiopsPipelineWriter _writer;
    private readonly HostingTelemetry _telemetry;
    private readonly AlertmanagerDuplicateCache _duplicates;
    private readonly ResolvedAlertMemory _resolved;
    private readonly int _maxBodyBytes;
    private readonly string? _changeLabel;
    private readonly TimeSpan _queueTimeout;
    private readonly TimeProvider _time;
    private readonly byte[]? _bearerHash;
    private readonly byte[]? _basicHash;
    private readonly bool _allowAnonymous;

    /// <summary>Initializes a new instance of the <see cref="AlertmanagerWebhookHandler"/> class.</summary>
    /// <param name="options">The (validated) options.</param>
    /// <param name="writer">Where signals go.</param>
    /// <param name="telemetry">Where outcomes are counted.</param>
    /// <param name="time">The clock of the duplicate window.</param>
    /// <param name="resolved">The alert instances seen resolved (shared with the episode restore, which seeds it).</param>
    public AlertmanagerWebhookHandler(IOptions<AiopsOptions> options, AiopsPipelineWriter writer, HostingTelemetry telemetry, TimeProvider time, ResolvedAlertMemory resolved)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(writer);
        ArgumentNullException.ThrowIfNull(telemetry);
        ArgumentNullException.ThrowIfNull(time);
        ArgumentNullException.ThrowIfNull(resolved);
        var webhook = options.Value.Alertmanager;
        _writer = writer;
        _telemetry = telemetry;
        _maxBodyBytes = webhook.MaxBodyBytes;
        _changeLabel = webhook.ChangeLabel;
        _allowAnonymous = options.Value.AllowAnonymous;
        _queueTimeout = webhook.QueueTimeout;
        _time = time;
        _duplicates = new AlertmanagerDuplicateCache(time, webhook.DuplicateWindow);
        _resolved = resolved;
        if (!string.IsNullOrEmpty(webhook.BearerToken))
        {
            _bearerHash = Secrets.Hash(webhook.BearerToken);
        }

        if (!string.IsNullOrEmpty(webhook.BasicAuthUser) && !string.IsNullOrEmpty(webhook.BasicAuthPassword))
        {
            _basicHash = Secrets.Hash(webhook.BasicAuthUser + ":" + webhook.BasicAuthPassword);
        }
    }

    /// <summary>Gets the cache of recently seen notifications.</summary>
    internal AlertmanagerDuplicateCache Duplicates => _duplicates;

    /// <summary>Handles one request.</summary>
    /// <param name="context">The request's context.</param>
    /// <returns>A task that completes when the response is written.</returns>
    public async Task HandleAsync(HttpContext context)
    {
        if (!IsAuthorized(context.Request))
        {
            _telemetry.Webhook("unauthorized");
            var challenges = context.Response.Headers;
            challenges.WWWAuthenticate = (_bearerHash, _basicHash) switch
            {
                (not null, not null) => new Microsoft.Extensions.Primitives.StringValues([BearerChallenge, BasicChallenge]),
                (not null, null) => BearerChallenge,
                _ => BasicChallenge,
            };
            await WriteProblemAsync(context, StatusCodes.Status401Unauthorized, "Unauthorized", "Missing or invalid credentials.").ConfigureAwait(false);
            return;
        }

        if (context.Request.ContentLength is { } declared && declared > _maxBodyBytes)
        {
            await TooLargeAsync(context, $"The body is {declared} bytes; the limit is {_maxBodyBytes} bytes.").ConfigureAwait(false);
            return;
        }

        var limit = context.Features.Get<IHttpMaxRequestBodySizeFeature>();
        var serverLimit = (long)_maxBodyBytes + ServerLimitHeadroomBytes;
        if (limit is { IsReadOnly: false } && limit.MaxRequestBodySize < serverLimit)
        {
            // Our own limit decides (with a reason); the server's must not fire first on its read-ahead of a chunked body.
            limit.MaxRequestBodySize = serverLimit;
        }

        var buffer = ArrayPool<byte>.Shared.Rent((int)Math.Min(context.Request.ContentLength ?? InitialBufferBytes, _maxBodyBytes) + 1);
        try
        {
            var length = 0;
            while (true)
            {
                if (length == buffer.Length)
                {
                    if (length > _maxBodyBytes)
                    {
                        await TooLargeAsync(context, $"The body exceeds the limit of {_maxBodyBytes} bytes.").ConfigureAwait(false);
                        return;
                    }

                    var larger = ArrayPool<byte>.Shared.Rent((int)Math.Min((long)buffer.Length * 2, (long)_maxBodyBytes + 1));
                    buffer.AsSpan(0, length).CopyTo(larger);
                    ArrayPool<byte>.Shared.Return(buffer);
                    buffer = larger;
                }

                var read = await context.Request.Body.ReadAsync(buffer.AsMemory(length, Math.Min(buffer.Length, _maxBodyBytes + 1) - length), context.RequestAborted).ConfigureAwait(false);
                if (read == 0)
                {
                    break;
                }

                length += read;
                if (length > _maxBodyBytes)
                {
                    await TooLargeAsync(context, $"The body exceeds the limit of {_maxBodyBytes} bytes.").ConfigureAwait(false);
                    return;
                }
            }

            await ProcessAsync(context, buffer.AsSpan(0, length)).ConfigureAwait(false);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private Task ProcessAsync(HttpContext context, ReadOnlySpan<byte> body)
    {
        AlertmanagerPayload? payload;
        try
        {
            payload = JsonSerializer.Deserialize(body, AlertmanagerJsonContext.Default.AlertmanagerPayload);
        }
        catch (JsonException ex)
        {
            return MalformedAsync(context, body.IsEmpty ? "The body is empty." : Describe(ex));
        }

        if (!AlertmanagerMapping.TryMap(payload, _time.GetUtcNow(), out var signals, out var error))
        {
            return MalformedAsync(context, error!);
        }

        var key = AlertmanagerMapping.NotificationKey(payload!.GroupKey!, signals);
        if (!_duplicates.TryAdd(key))
        {
            _telemetry.Webhook("duplicate");
            return WriteAcceptedAsync(context, duplicate: true, 0);
        }

        signals = WithoutReplaysOfResolved(signals);
        var written = 0;
        while (written < signals.Length && _writer.Signals.Writer.TryWrite(AlertmanagerMapping.AsSignal(signals[written], _changeLabel)))
        {
            written++;
        }

        return written == signals.Length ? AcceptedAsync(context, written) : QueueSlowlyAsync(context, key, signals, written);
    }

    /// <summary>
    /// Records resolved alert instances and leaves out firing alerts of an instance already seen resolved: that is a replay
    /// of an alert that ended (Alertmanager gives an alert that fires again a new <c>startsAt</c>), and it would otherwise
    /// open, or reopen, an episode for an incident that is over.
    /// </summary>
    private AlertSignal[] WithoutReplaysOfResolved(AlertSignal[] signals)
    {
        var kept = 0;
        var result = signals;
        for (var i = 0; i < signals.Length; i++)
        {
            var alert = signals[i];
            var replay = false;
            if (alert.Status == AlertStatus.Resolved)
            {
                _resolved.Resolved(alert);
            }
            else if (_resolved.IsReplay(alert))
            {
                replay = true;
                _telemetry.ReplayIgnored();
            }

            if (replay && ReferenceEquals(result, signals))
            {
                result = new AlertSignal[signals.Length];
                Array.Copy(signals, result, kept);
            }

            if (!replay)
            {
                result[kept++] = alert;
            }
        }

        return kept == signals.Length ? signals : result[..kept];
    }

    private Task AcceptedAsync(HttpContext context, int written)
    {
        _telemetry.Webhook("accepted");
        return WriteAcceptedAsync(context, duplicate: false, written);
    }

    /// <summary>The channel is full: wait for room (back-pressure on Alertmanager) up to the queue timeout, then ask for a retry.</summary>
    private async Task QueueSlowlyAsync(HttpContext context, UInt128 key, AlertSignal[] signals, int written)
    {
        using var timeout = new CancellationTokenSource(_queueTimeout, _time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(timeout.Token, context.RequestAborted);
        try
        {
            for (; written < signals.Length; written++)
            {
                if (!await _writer.WriteSignalAsync(AlertmanagerMapping.AsSignal(signals[written], _changeLabel), linked.Token).ConfigureAwait(false))
                {
                    break;
                }
            }
        }
        catch (OperationCanceledException)
        {
        }

        if (written == signals.Length)
        {
            await AcceptedAsync(context, written).ConfigureAwait(false);
            return;
        }

        // Let Alertmanager retry the whole notification, and do not treat the retry as a duplicate; the alerts already queued
        // come again as repeats, which correlation folds into their members.
        _duplicates.Remove(key);
        _telemetry.Webhook("unavailable");
        context.Response.Headers.RetryAfter = "1";
        await WriteProblemAsync(context, StatusCodes.Status503ServiceUnavailable, "Pipeline busy", $"{signals.Length - written} of {signals.Length} alerts could not be queued within {_queueTimeout.TotalSeconds:0.###} s; retry later.").ConfigureAwait(false);
    }

    /// <summary>
    /// Where and what the JSON problem is, in the payload's terms: the serializer's own message names our internal types
    /// (<c>Aiops.Hosting.Alertmanager…</c>), which mean nothing to the sender.
    /// </summary>
    private static string Describe(JsonException ex)
    {
        var where = ex.Path is { Length: > 1 } path ? $"at '{path.TrimStart('$').TrimStart('.')}'" : "at the top level";
        var position = ex.LineNumber is { } line ? $" (line {line + 1}, byte {(ex.BytePositionInLine ?? 0) + 1})" : string.Empty;
        var what = ex.InnerException is FormatException || ex.Message.Contains("could not be converted", StringComparison.Ordinal)
            ? "a value has the wrong type or format (timestamps are RFC 3339, labels and annotations map strings to strings)"
            : "the JSON is malformed";
        return $"The body is not a valid version 4 payload: {what} {where}{position}.";
    }

    private bool IsAuthorized(HttpRequest request)
    {
        if (_bearerHash is null && _basicHash is null)
        {
            // No credentials of its own: the host's authorization on the endpoint has already run and authenticated the caller,
            // or anonymous posts were allowed explicitly; otherwise refuse (a host that skipped the start-up check, or guards the
            // endpoint with a policy that admits anyone, must not accept forged alerts either).
            return _allowAnonymous
                || (Security.AiopsEndpointSecurityFilter.IsAuthorizedByHost(request.HttpContext.GetEndpoint()) && request.HttpContext.User.Identity?.IsAuthenticated == true);
        }

        var header = request.Headers.Authorization;
        if (header.Count != 1 || header[0] is not { } value)
        {
            return false;
        }

        var span = value.AsSpan().Trim();
        var space = span.IndexOf(' ');
        if (space <= 0)
        {
            return false;
        }

        var scheme = span[..space];
        var credentials = span[(space + 1)..].Trim();
        if (_bearerHash is not null && scheme.Equals("Bearer", StringComparison.OrdinalIgnoreCase))
        {
            return Secrets.Matches(_bearerHash, credentials);
        }

        if (_basicHash is not null && scheme.Equals("Basic", StringComparison.OrdinalIgnoreCase))
        {
            return Secrets.Matches(_basicHash, credentials, base64: true);
        }

        return false;
    }

    private Task TooLargeAsync(HttpContext context, string detail)
    {
        _telemetry.Webhook("too_large");
        return WriteProblemAsync(context, StatusCodes.Status413PayloadTooLarge, "Payload too large", detail);
    }

    private Task MalformedAsync(HttpContext context, string detail)
    {
        _telemetry.Webhook("malformed");
        return WriteProblemAsync(context, StatusCodes.Status400BadRequest, "Invalid Alertmanager payload", detail);
    }

    private static async Task WriteProblemAsync(HttpContext context, int status, string title, string detail)
    {
        var response = context.Response;
        response.StatusCode = status;
        response.ContentType = "application/problem+json";
        using (var json = new Utf8JsonWriter(response.BodyWriter))
        {
            json.WriteStartObject();
            json.WriteString("type", "about:blank");
            json.WriteString("title", title);
            json.WriteNumber("status", status);
            json.WriteString("detail", detail);
            json.WriteEndObject();
        }

        await response.BodyWriter.FlushAsync(context.RequestAborted).ConfigureAwait(false);
    }

    private static async Task WriteAcceptedAsync(HttpContext context, bool duplicate, int signals)
    {
        var response = context.Response;
        response.StatusCode = StatusCodes.Status200OK;
        response.ContentType = "application/json";
        using (var json = new Utf8JsonWriter(response.BodyWriter))
        {
            json.WriteStartObject();
            json.WriteBoolean("accepted", true);
            json.WriteBoolean("duplicate", duplicate);
            json.WriteNumber("signals", signals);
            json.WriteEndObject();
        }

        await response.BodyWriter.FlushAsync(context.RequestAborted).ConfigureAwait(false);
    }
}
