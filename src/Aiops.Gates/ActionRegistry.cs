using System.Diagnostics.CodeAnalysis;

namespace Aiops.Gates;

/// <summary>
/// The actions the executor may run, by <see cref="IRemediationAction.Id"/> (ordinal, case-sensitive). The
/// <see cref="DecisionEngine"/> denies proposals for unregistered actions and raises a proposal's risk to the action's
/// declared <see cref="IRemediationAction.Risk"/>; the <see cref="RemediationExecutor"/> refuses to run an unregistered one.
/// </summary>
/// <remarks>Thread-safe: registration and lookup take one lock.</remarks>
public sealed class ActionRegistry
{
    private readonly Lock _gate = new();
    private readonly Dictionary<string, IRemediationAction> _actions = new(StringComparer.Ordinal);

    /// <summary>Initializes a new instance of the <see cref="ActionRegistry"/> class.</summary>
    /// <param name="actions">The actions to register; <see langword="null"/> registers none.</param>
    /// <exception cref="ArgumentException">An action is <see langword="null"/>, has no id, or has the id of another.</exception>
    public ActionRegistry(IEnumerable<IRemediationAction>? actions = null)
    {
        foreach (var action in actions ?? [])
        {
            Register(action);
        }
    }

    /// <summary>Gets the registered ids, sorted.</summary>
    public IReadOnlyList<string> Ids
    {
        get
        {
            lock (_gate)
            {
                return [.. _actions.Keys.Order(StringComparer.Ordinal)];
            }
        }
    }

    /// <summary>Registers an action.</summary>
    /// <param name="action">The action.</param>
    /// <exception cref="ArgumentNullException"><paramref name="action"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException">The action has no id, or another action is registered under it.</exception>
    public void Register(IRemediationAction action)
    {
        ArgumentNullException.ThrowIfNull(action);
        var id = action.Id;
        if (string.IsNullOrWhiteSpace(id))
        {
            throw new ArgumentException($"The action {action.GetType().Name} has no id.", nameof(action));
        }

        if (!Enum.IsDefined(action.Risk))
        {
            throw new ArgumentException($"The action '{id}' declares an undefined risk ({(int)action.Risk}).", nameof(action));
        }

        lock (_gate)
        {
            if (!_actions.TryAdd(id, action))
            {
                throw new ArgumentException($"An action is already registered under the id '{id}' ({_actions[id].GetType().Name}).", nameof(action));
            }
        }
    }

    /// <summary>Removes an action: decisions for it are no longer executed (they end as <see cref="ExecutionStatus.UnknownAction"/>).</summary>
    /// <param name="id">The action's id.</param>
    /// <returns><see langword="true"/> when it was registered.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="id"/> is <see langword="null"/>.</exception>
    public bool Remove(string id)
    {
        ArgumentNullException.ThrowIfNull(id);
        lock (_gate)
        {
            return _actions.Remove(id);
        }
    }

    /// <summary>Looks an action up.</summary>
    /// <param name="id">The action's id; <see langword="null"/> finds nothing.</param>
    /// <param name="action">The action, when registered.</param>
    /// <returns><see langword="true"/> when it is registered.</returns>
    public bool TryGet(string? id, [NotNullWhen(true)] out IRemediationAction? action)
    {
        if (id is null)
        {
            action = null;
            return false;
        }

        lock (_gate)
        {
            return _actions.TryGetValue(id, out action);
        }
    }
}
