using System.Globalization;
using Orleans.Runtime;

namespace Aiops.Orleans;

/// <summary>
/// One hour of the cluster's audit log (<see cref="IClusterAuditGrain"/>, keyed by the UTC hour, <c>yyyy-MM-ddTHH</c>): the
/// JSON lines of the <see cref="Aiops.Gates.AuditEntry"/> records made in that hour on any silo, in the order this grain
/// received them, persisted before each append returns. Hourly partitions keep each write to one hour's entries.
/// </summary>
internal sealed class ClusterAuditGrain(
    [PersistentState("audit", AiopsGrains.StorageName)] IPersistentState<ClusterAuditState> state) : Grain, IClusterAuditGrain
{
    public async Task AppendAsync(string entryJson)
    {
        state.State.Entries.Add(entryJson);
        await state.WriteStateAsync().ConfigureAwait(true);
    }

    public Task<IReadOnlyList<string>> ReadAsync() => Task.FromResult<IReadOnlyList<string>>([.. state.State.Entries]);

    /// <summary>The key of the partition that holds the records made at <paramref name="at"/>.</summary>
    internal static string Partition(DateTimeOffset at) => at.UtcDateTime.ToString("yyyy-MM-dd'T'HH", CultureInfo.InvariantCulture);
}

/// <summary>Appends audit records to the cluster's audit log and reads them back, newest first.</summary>
internal static class ClusterAudit
{
    /// <summary>How far back a read looks: the hours of 7 days.</summary>
    internal const int HoursKept = 7 * 24;

    /// <summary>Appends one record (JSON of an <see cref="Aiops.Gates.AuditEntry"/>), durable when the task completes.</summary>
    public static Task AppendAsync(IGrainFactory grains, DateTimeOffset now, string entryJson) =>
        grains.GetGrain<IClusterAuditGrain>(ClusterAuditGrain.Partition(now)).AppendAsync(entryJson);

    /// <summary>Reads up to <paramref name="limit"/> records, newest first, from the last <see cref="HoursKept"/> hours.</summary>
    public static async Task<IReadOnlyList<string>> ReadAsync(IGrainFactory grains, DateTimeOffset now, int limit, CancellationToken cancellationToken)
    {
        var newestFirst = new List<string>(Math.Min(limit, 256));
        var hour = new DateTimeOffset(now.UtcDateTime.Date.AddHours(now.UtcDateTime.Hour), TimeSpan.Zero);

        // A day of hours at a time, in parallel; stop once the limit is filled.
        for (var done = 0; done < HoursKept && newestFirst.Count < limit; done += 24)
        {
            var batch = new Task<IReadOnlyList<string>>[Math.Min(24, HoursKept - done)];
            for (var i = 0; i < batch.Length; i++)
            {
                batch[i] = grains.GetGrain<IClusterAuditGrain>(ClusterAuditGrain.Partition(hour.AddHours(-(done + i)))).ReadAsync();
            }

            var read = await Task.WhenAll(batch).WaitAsync(cancellationToken).ConfigureAwait(false);
            foreach (var entries in read)
            {
                for (var j = entries.Count - 1; j >= 0 && newestFirst.Count < limit; j--)
                {
                    newestFirst.Add(entries[j]);
                }
            }
        }

        return newestFirst;
    }
}
