using Aiops.Correlation;

namespace Aiops.Rca.Eval;

/// <summary>One call edge: <see cref="Caller"/> makes <see cref="CallsPerRequest"/> calls to <see cref="Callee"/> per request it serves.</summary>
/// <param name="Caller">The calling service.</param>
/// <param name="Callee">The called service.</param>
/// <param name="CallsPerRequest">Calls per request of the caller (a fraction for an endpoint only some requests reach).</param>
internal sealed record CallEdge(string Caller, string Callee, double CallsPerRequest);

/// <summary>How a topology names its five metrics, and whether the names alone tell their role.</summary>
/// <param name="Requests">Request rate (requests per second).</param>
/// <param name="Errors">Error rate (failed requests per second).</param>
/// <param name="Latency">p95 latency in seconds.</param>
/// <param name="Cpu">CPU utilisation in percent of one core.</param>
/// <param name="Memory">Memory in MiB.</param>
internal sealed record MetricNames(string Requests, string Errors, string Latency, string Cpu, string Memory)
{
    /// <summary>Prometheus-style names the default classifier patterns recognise.</summary>
    public static MetricNames Prometheus { get; } = new("http_requests_per_second", "http_errors_per_second", "http_latency_p95_seconds", "process_cpu_utilisation", "process_memory_working_set_mib");

    /// <summary>
    /// Terse names no substring pattern recognises (<c>ops</c>, <c>err</c>, <c>p95</c>, <c>load</c>, <c>rss</c>): roles are
    /// configured, and the default <see cref="SignalClassifierOptions.NameWords"/> read them as words without it.
    /// </summary>
    public static MetricNames Terse { get; } = new("ops", "err", "p95", "load", "rss");

    /// <summary>The five names in the generator's order.</summary>
    public IReadOnlyList<string> All => [Requests, Errors, Latency, Cpu, Memory];

    /// <summary>The role of each name, for <see cref="SignalClassifierOptions.MetricRoles"/>.</summary>
    public IReadOnlyDictionary<string, SignalClass> Roles => new Dictionary<string, SignalClass>(StringComparer.Ordinal)
    {
        [Requests] = SignalClass.Traffic,
        [Errors] = SignalClass.Errors,
        [Latency] = SignalClass.Latency,
        [Cpu] = SignalClass.Saturation,
        [Memory] = SignalClass.Saturation,
    };
}

/// <summary>A multi-service system: its services, its call graph (a DAG) and its entry point. Immutable.</summary>
internal sealed class Topology
{
    private Topology(string name, string entry, IReadOnlyList<CallEdge> edges, MetricNames names, IEnumerable<string>? others = null)
    {
        Name = name;
        Entry = entry;
        Edges = edges;
        Names = names;
        var services = new List<string> { entry };
        foreach (var other in others ?? [])
        {
            if (!services.Contains(other))
            {
                services.Add(other);
            }
        }

        foreach (var edge in edges)
        {
            if (!services.Contains(edge.Caller))
            {
                services.Add(edge.Caller);
            }

            if (!services.Contains(edge.Callee))
            {
                services.Add(edge.Callee);
            }
        }

        CallersFirst = TopologicalOrder(services, edges);
        Services = services;
    }

    /// <summary>Gets the topology's name.</summary>
    public string Name { get; }

    /// <summary>Gets the entry service, which receives the external traffic.</summary>
    public string Entry { get; }

    /// <summary>Gets the call edges.</summary>
    public IReadOnlyList<CallEdge> Edges { get; }

    /// <summary>Gets the metric names the topology's series carry.</summary>
    public MetricNames Names { get; }

    /// <summary>Gets the services, entry first.</summary>
    public IReadOnlyList<string> Services { get; }

    /// <summary>Gets the services ordered so that every caller comes before its callees.</summary>
    public IReadOnlyList<string> CallersFirst { get; }

    /// <summary>The dependency graph the correlator is given (caller depends on callee).</summary>
    public DependencyGraph Graph() => new(Edges.Select(e => (e.Caller, e.Callee)));

    /// <summary>An Online-Boutique-shaped shop: 11 services, Prometheus-style metric names.</summary>
    public static Topology OnlineBoutique() => new(
        "online-boutique",
        "frontend",
        [
            new("frontend", "cart", 0.4),
            new("frontend", "checkout", 0.05),
            new("frontend", "productcatalog", 1.5),
            new("frontend", "recommendation", 0.5),
            new("frontend", "currency", 1.2),
            new("frontend", "shipping", 0.1),
            new("frontend", "ad", 0.5),
            new("checkout", "payment", 1),
            new("checkout", "email", 1),
            new("checkout", "shipping", 1),
            new("checkout", "currency", 2),
            new("checkout", "cart", 2),
            new("checkout", "productcatalog", 1),
            new("recommendation", "productcatalog", 1),
            new("cart", "redis", 1),
        ],
        MetricNames.Prometheus);

    /// <summary>
    /// The system of a recorded case (<see cref="RecordedCases"/>): its services as the data names them, and the calls of a
    /// graph file if one was given (none: an empty graph). Its metric names are not known, so no roles are declared from them.
    /// </summary>
    public static Topology Recorded(string name, IReadOnlyList<string> services, IReadOnlyList<(string Caller, string Callee)> calls)
    {
        ArgumentOutOfRangeException.ThrowIfZero(services.Count);
        return new(name, services[0], [.. calls.Select(c => new CallEdge(c.Caller, c.Callee, 1))], MetricNames.Prometheus, services);
    }

    /// <summary>A Train-Ticket-shaped booking system: 35 services, terse metric names whose roles must be configured.</summary>
    public static Topology TrainTicket()
    {
        const string ui = "ts-ui-dashboard";
        var edges = new List<CallEdge>
        {
            new(ui, "ts-auth", 0.1), new(ui, "ts-user", 0.05), new(ui, "ts-travel", 0.3), new(ui, "ts-travel2", 0.1),
            new(ui, "ts-preserve", 0.12), new(ui, "ts-preserve-other", 0.04), new(ui, "ts-order", 0.15), new(ui, "ts-order-other", 0.05),
            new(ui, "ts-cancel", 0.02), new(ui, "ts-rebook", 0.02), new(ui, "ts-execute", 0.02), new(ui, "ts-contacts", 0.05),
            new(ui, "ts-food", 0.05), new(ui, "ts-consign", 0.03), new(ui, "ts-assurance", 0.05), new(ui, "ts-inside-payment", 0.05),
            new(ui, "ts-travel-plan", 0.05), new(ui, "ts-route-plan", 0.03), new(ui, "ts-station", 0.1),
            new("ts-auth", "ts-verification-code", 0.5), new("ts-user", "ts-auth", 1),
            new("ts-travel", "ts-ticketinfo", 1), new("ts-travel", "ts-seat", 1), new("ts-travel", "ts-route", 1), new("ts-travel", "ts-train", 1),
            new("ts-travel2", "ts-ticketinfo", 1), new("ts-travel2", "ts-seat", 1), new("ts-travel2", "ts-route", 1), new("ts-travel2", "ts-train", 1),
            new("ts-preserve", "ts-ticketinfo", 1), new("ts-preserve", "ts-seat", 1), new("ts-preserve", "ts-order", 1), new("ts-preserve", "ts-contacts", 1),
            new("ts-preserve", "ts-security", 1), new("ts-preserve", "ts-user", 1), new("ts-preserve", "ts-assurance", 0.5), new("ts-preserve", "ts-food", 0.5),
            new("ts-preserve", "ts-consign", 0.3), new("ts-preserve", "ts-notification", 1), new("ts-preserve", "ts-station", 2),
            new("ts-preserve-other", "ts-ticketinfo", 1), new("ts-preserve-other", "ts-seat", 1), new("ts-preserve-other", "ts-order-other", 1),
            new("ts-preserve-other", "ts-contacts", 1), new("ts-preserve-other", "ts-security", 1), new("ts-preserve-other", "ts-notification", 1),
            new("ts-security", "ts-order", 1), new("ts-security", "ts-order-other", 1),
            new("ts-cancel", "ts-order", 1), new("ts-cancel", "ts-order-other", 1), new("ts-cancel", "ts-inside-payment", 1),
            new("ts-cancel", "ts-notification", 1), new("ts-cancel", "ts-user", 1),
            new("ts-rebook", "ts-order", 1), new("ts-rebook", "ts-travel", 1), new("ts-rebook", "ts-seat", 1), new("ts-rebook", "ts-inside-payment", 1),
            new("ts-execute", "ts-order", 1), new("ts-execute", "ts-order-other", 1),
            new("ts-inside-payment", "ts-order", 1), new("ts-inside-payment", "ts-payment", 1),
            new("ts-food", "ts-food-map", 1), new("ts-food", "ts-travel", 1), new("ts-food", "ts-station-food", 1), new("ts-food", "ts-train-food", 1),
            new("ts-consign", "ts-consign-price", 1),
            new("ts-route-plan", "ts-travel", 1), new("ts-route-plan", "ts-travel2", 1), new("ts-route-plan", "ts-route", 1), new("ts-route-plan", "ts-station", 1),
            new("ts-travel-plan", "ts-route-plan", 1), new("ts-travel-plan", "ts-travel", 1), new("ts-travel-plan", "ts-seat", 1), new("ts-travel-plan", "ts-ticketinfo", 1),
            new("ts-ticketinfo", "ts-basic", 1),
            new("ts-basic", "ts-station", 2), new("ts-basic", "ts-train", 1), new("ts-basic", "ts-route", 1), new("ts-basic", "ts-price", 1),
            new("ts-seat", "ts-order", 1), new("ts-seat", "ts-order-other", 0.3), new("ts-seat", "ts-config", 1),
            new("ts-order", "ts-station", 1), new("ts-order-other", "ts-station", 1),
        };
        return new Topology("train-ticket", ui, edges, MetricNames.Terse);
    }

    /// <summary>The callees of a service with their calls per request.</summary>
    public IEnumerable<CallEdge> CalleesOf(string service) => Edges.Where(e => e.Caller == service);

    /// <summary>The callers of a service with their calls per request.</summary>
    public IEnumerable<CallEdge> CallersOf(string service) => Edges.Where(e => e.Callee == service);

    private static List<string> TopologicalOrder(List<string> services, IReadOnlyList<CallEdge> edges)
    {
        var order = new List<string>(services.Count);
        var state = new Dictionary<string, int>(StringComparer.Ordinal); // 1 visiting, 2 done
        void Visit(string service)
        {
            if (state.TryGetValue(service, out var s))
            {
                if (s == 1)
                {
                    throw new InvalidOperationException($"The call graph has a cycle through '{service}'.");
                }

                return;
            }

            state[service] = 1;
            foreach (var caller in edges.Where(e => e.Callee == service))
            {
                Visit(caller.Caller);
            }

            state[service] = 2;
            order.Add(service);
        }

        foreach (var service in services)
        {
            Visit(service);
        }

        return order;
    }
}
