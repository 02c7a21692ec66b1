namespace Aiops.Orleans;

/// <summary>Names the clustered mode shares between its grains and the host.</summary>
public static class AiopsGrains
{
    /// <summary>
    /// The name of the grain storage the Aiops grains persist to: decisions by idempotency key, the cluster's execution
    /// history, and each correlation scope's open episodes. Register a shared store under this name (for example
    /// <c>AddRedisGrainStorage(AiopsGrains.StorageName, ...)</c>) before <c>AddAiopsGrains()</c>; without one, an
    /// in-memory store is added (single machine only: it is lost with the silo).
    /// </summary>
    public const string StorageName = "aiops";

    /// <summary>The key of the one grain that holds the cluster's execution history (rate limits, cooldowns, concurrency).</summary>
    internal const string HistoryKey = "cluster";

    /// <summary>The key of the one grain that lists the cluster's decisions waiting for approval.</summary>
    internal const string ApprovalIndexKey = "cluster";

    /// <summary>The key of the one grain that lists the correlation scopes holding open episodes.</summary>
    internal const string ScopeIndexKey = "cluster";
}
