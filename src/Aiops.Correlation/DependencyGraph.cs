namespace Aiops.Correlation;

/// <summary>
/// Which service depends on which (service → dependency). Used to group signals of related services into one episode and
/// to rank dependencies above their dependents as causes. Immutable once built; thread-safe.
/// </summary>
public sealed class DependencyGraph
{
    private static readonly IReadOnlySet<string> None = new HashSet<string>();
    private readonly Dictionary<string, HashSet<string>> _dependencies = new(StringComparer.Ordinal);
    private readonly Dictionary<string, HashSet<string>> _dependents = new(StringComparer.Ordinal);

    /// <summary>Initializes a new instance of the <see cref="DependencyGraph"/> class.</summary>
    /// <param name="edges">Each edge says that <c>Service</c> calls (depends on) <c>DependsOn</c>.</param>
    /// <exception cref="ArgumentException">An edge names an empty service.</exception>
    public DependencyGraph(IEnumerable<(string Service, string DependsOn)> edges)
    {
        ArgumentNullException.ThrowIfNull(edges);
        foreach (var (service, dependsOn) in edges)
        {
            if (string.IsNullOrEmpty(service) || string.IsNullOrEmpty(dependsOn))
            {
                throw new ArgumentException("A dependency edge names an empty service.", nameof(edges));
            }

            Add(_dependencies, service, dependsOn);
            Add(_dependents, dependsOn, service);
        }
    }

    /// <summary>Gets an empty graph.</summary>
    public static DependencyGraph Empty { get; } = new([]);

    /// <summary>Gets the number of services in the graph.</summary>
    public int Count => _dependencies.Keys.Union(_dependents.Keys).Count();

    /// <summary>Whether the graph has any edge to or from <paramref name="service"/>.</summary>
    /// <param name="service">The service.</param>
    /// <returns><see langword="true"/> when the service appears in the graph.</returns>
    public bool Contains(string service) => _dependencies.ContainsKey(service) || _dependents.ContainsKey(service);

    /// <summary>The services <paramref name="service"/> calls directly.</summary>
    /// <param name="service">The service.</param>
    /// <returns>Its direct dependencies; empty when unknown.</returns>
    public IReadOnlySet<string> DependenciesOf(string service) => _dependencies.TryGetValue(service, out var set) ? set : None;

    /// <summary>The services that call <paramref name="service"/> directly.</summary>
    /// <param name="service">The service.</param>
    /// <returns>Its direct dependents; empty when unknown.</returns>
    public IReadOnlySet<string> DependentsOf(string service) => _dependents.TryGetValue(service, out var set) ? set : None;

    /// <summary>Whether <paramref name="service"/> depends on <paramref name="dependency"/> through at most <paramref name="maxHops"/> calls.</summary>
    /// <param name="service">The calling service.</param>
    /// <param name="dependency">The candidate dependency.</param>
    /// <param name="maxHops">The longest call chain considered.</param>
    /// <returns><see langword="true"/> when a chain of at most <paramref name="maxHops"/> edges leads from one to the other.</returns>
    public bool DependsOn(string service, string dependency, int maxHops)
    {
        ArgumentNullException.ThrowIfNull(service);
        ArgumentNullException.ThrowIfNull(dependency);
        if (maxHops <= 0 || _dependencies.Count == 0)
        {
            return false;
        }

        var frontier = new List<string> { service };
        var seen = new HashSet<string>(StringComparer.Ordinal) { service };
        for (var hop = 0; hop < maxHops && frontier.Count > 0; hop++)
        {
            var next = new List<string>();
            foreach (var node in frontier)
            {
                foreach (var dep in DependenciesOf(node))
                {
                    if (string.Equals(dep, dependency, StringComparison.Ordinal))
                    {
                        return true;
                    }

                    if (seen.Add(dep))
                    {
                        next.Add(dep);
                    }
                }
            }

            frontier = next;
        }

        return false;
    }

    /// <summary>Whether either service depends on the other through at most <paramref name="maxHops"/> calls.</summary>
    /// <param name="a">One service.</param>
    /// <param name="b">The other service.</param>
    /// <param name="maxHops">The longest call chain considered.</param>
    /// <returns><see langword="true"/> when they are related.</returns>
    public bool AreRelated(string a, string b, int maxHops) => DependsOn(a, b, maxHops) || DependsOn(b, a, maxHops);

    private static void Add(Dictionary<string, HashSet<string>> map, string key, string value)
    {
        if (!map.TryGetValue(key, out var set))
        {
            map[key] = set = new HashSet<string>(StringComparer.Ordinal);
        }

        set.Add(value);
    }
}
