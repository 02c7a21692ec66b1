using System.Buffers;
using System.ComponentModel.DataAnnotations;
using System.Globalization;
using System.Net.Http.Headers;
using System.Text.Json;

namespace Aiops.Gates.Actions;

/// <summary>
/// A real but harmless action: an HTTP <c>POST</c> or <c>PUT</c> to a configured endpoint (for example the sample app's
/// feature-flag endpoint) with a JSON body describing the decision, and an <c>Idempotency-Key</c> header carrying the
/// proposal's key. A 2xx response is a success; any other status, a transport error or the action's own
/// <see cref="HttpActionOptions.Timeout"/> is a failure with the reason; it never throws for them.
/// </summary>
/// <remarks>
/// <para>
/// The body is <c>{"decisionId","actionId","idempotencyKey","episodeId","targets":[...],"risk","confidence","decidedAt"}</c>
/// plus the configured <see cref="HttpActionOptions.Fields"/> (strings). The <see cref="HttpClient"/> is the caller's (use
/// <c>IHttpClientFactory</c>); the action does not dispose it. When the executor's token fires (its action timeout or
/// shutdown) the request is cancelled and the <see cref="OperationCanceledException"/> propagates, so the executor records
/// the timeout.
/// </para>
/// <para>Thread-safe: the action holds no mutable state.</para>
/// </remarks>
public sealed class HttpAction : IRemediationAction
{
    private readonly HttpClient _client;
    private readonly HttpActionOptions _options;
    private readonly TimeProvider _time;
    private readonly HttpMethod _method;
    private readonly KeyValuePair<string, string>[] _fields;

    /// <summary>Initializes a new instance of the <see cref="HttpAction"/> class.</summary>
    /// <param name="id">The id proposals refer to.</param>
    /// <param name="client">The HTTP client (not disposed by the action).</param>
    /// <param name="options">The endpoint, method, risk and timeout.</param>
    /// <param name="timeProvider">The clock of the action's timeout; <see langword="null"/> uses <see cref="TimeProvider.System"/>.</param>
    /// <exception cref="ArgumentException"><paramref name="id"/> is empty.</exception>
    /// <exception cref="ArgumentNullException"><paramref name="client"/> or <paramref name="options"/> is <see langword="null"/>.</exception>
    /// <exception cref="ValidationException">An option is missing or out of range (the message names it).</exception>
    public HttpAction(string id, HttpClient client, HttpActionOptions options, TimeProvider? timeProvider = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(id);
        ArgumentNullException.ThrowIfNull(client);
        ArgumentNullException.ThrowIfNull(options);
        Aiops.Detection.Internal.OptionsValidator.ThrowIfInvalid(options);
        if (options.Endpoint is not { IsAbsoluteUri: true } endpoint || (endpoint.Scheme != Uri.UriSchemeHttp && endpoint.Scheme != Uri.UriSchemeHttps))
        {
            throw new ValidationException($"{nameof(HttpActionOptions)}.{nameof(HttpActionOptions.Endpoint)}: must be an absolute http or https URI.");
        }

        Id = id;
        _client = client;
        _options = options;
        _time = timeProvider ?? TimeProvider.System;
        _method = options.Method == "PUT" ? HttpMethod.Put : HttpMethod.Post;
        _fields = [.. options.Fields];
    }

    /// <inheritdoc/>
    public string Id { get; }

    /// <inheritdoc/>
    public RiskClass Risk => _options.Risk;

    /// <inheritdoc/>
    /// <returns>A success naming the status, or a failure naming the status or the error.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="decision"/> is <see langword="null"/>.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> fired.</exception>
    public async ValueTask<ActionOutcome> ExecuteAsync(Decision decision, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(decision);
        var endpoint = _options.Endpoint!;
        using var timeout = new CancellationTokenSource(_options.Timeout, _time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token);
        using var request = new HttpRequestMessage(_method, endpoint);
        request.Content = Body(decision);
        request.Headers.TryAddWithoutValidation("Idempotency-Key", decision.Proposal.IdempotencyKey);
        try
        {
            using var response = await _client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, linked.Token).ConfigureAwait(false);
            var status = string.Create(CultureInfo.InvariantCulture, $"HTTP {(int)response.StatusCode} {response.ReasonPhrase} from {_method} {endpoint}");
            return response.IsSuccessStatusCode ? ActionOutcome.Success(status) : ActionOutcome.Failure(status);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw;
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested)
        {
            return ActionOutcome.Failure(string.Create(CultureInfo.InvariantCulture, $"{_method} {endpoint} timed out after {_options.Timeout}"));
        }
        catch (HttpRequestException ex)
        {
            return ActionOutcome.Failure($"{_method} {endpoint} failed: {ex.Message}");
        }
    }

    private ByteArrayContent Body(Decision decision)
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        using (var json = new Utf8JsonWriter(buffer))
        {
            var proposal = decision.Proposal;
            json.WriteStartObject();
            json.WriteString("decisionId", decision.DecisionId);
            json.WriteString("actionId", proposal.ActionId);
            json.WriteString("idempotencyKey", proposal.IdempotencyKey);
            json.WriteString("episodeId", proposal.EpisodeId);
            json.WriteStartArray("targets");
            foreach (var target in proposal.Targets)
            {
                json.WriteStringValue(target);
            }

            json.WriteEndArray();
            json.WriteString("risk", proposal.Risk.ToString());
            json.WriteNumber("confidence", proposal.Confidence);
            json.WriteString("decidedAt", decision.DecidedAt);
            foreach (var (name, value) in _fields)
            {
                json.WriteString(name, value);
            }

            json.WriteEndObject();
        }

        var content = new ByteArrayContent(buffer.WrittenSpan.ToArray());
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json") { CharSet = "utf-8" };
        return content;
    }
}

/// <summary>Options of <see cref="HttpAction"/>. Read once when the action is created.</summary>
public sealed class HttpActionOptions
{
    /// <summary>Gets or sets the absolute http(s) URI the request goes to. Required; no default.</summary>
    [Required]
    public Uri? Endpoint { get; set; }

    /// <summary>Gets or sets the HTTP method: <c>POST</c> or <c>PUT</c> (upper case). Default: <c>POST</c>.</summary>
    [Required]
    [AllowedValues("POST", "PUT")]
    public string Method { get; set; } = "POST";

    /// <summary>Gets or sets the declared risk of the action. Default: <see cref="RiskClass.Low"/> (a harmless toggle).</summary>
    [EnumDataType(typeof(RiskClass))]
    public RiskClass Risk { get; set; } = RiskClass.Low;

    /// <summary>
    /// Gets or sets how long the request may take before it is cancelled and reported as a failure (the executor's own
    /// action timeout applies as well). Default: 10 seconds. Range: [1 ms, 5 minutes].
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00.001", "00:05:00")]
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// Gets the extra string fields of the JSON body (for example <c>flag</c> = <c>cache-bypass</c>, <c>enabled</c> =
    /// <c>true</c>); they must not reuse the decision fields' names. Default: empty.
    /// </summary>
    public IDictionary<string, string> Fields { get; } = new Dictionary<string, string>(StringComparer.Ordinal);
}
