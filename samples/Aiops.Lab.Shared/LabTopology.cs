namespace Aiops.Lab.Shared;

/// <summary>
/// The lab's services and who calls whom, in one place: the app serves and instruments them (a request to frontend calls
/// checkout, which calls store and payment), its <c>lab_client_requests_total{service, peer}</c> series show Prometheus the
/// same edges, and the receiver declares them to the correlator as its dependency graph.
/// </summary>
internal static class LabTopology
{
    /// <summary>The entry point: the lab's load calls it.</summary>
    public const string Frontend = "frontend";

    /// <summary>The checkout service: capacity-limited, the target of the bad deploy.</summary>
    public const string Checkout = "checkout";

    /// <summary>The payment service: the dependency whose faults the lab injects.</summary>
    public const string Payment = "payment";

    /// <summary>The store (stock reservations): a healthy sibling of payment.</summary>
    public const string Store = "store";

    /// <summary>Every service, callers first.</summary>
    public static IReadOnlyList<string> Services { get; } = [Frontend, Checkout, Store, Payment];

    /// <summary>The call graph: each edge says <c>Service</c> calls <c>Peer</c>.</summary>
    public static IReadOnlyList<(string Service, string Peer)> Calls { get; } =
    [
        (Frontend, Checkout),
        (Checkout, Store),
        (Checkout, Payment),
    ];
}
