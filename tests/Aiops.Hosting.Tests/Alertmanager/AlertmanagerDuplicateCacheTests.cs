using Aiops.Hosting.Alertmanager;
using Microsoft.Extensions.Time.Testing;

namespace Aiops.Hosting.Tests.Alertmanager;

public sealed class AlertmanagerDuplicateCacheTests
{
    [Fact]
    public void TryAdd_SameKeyWithinWindow_Duplicate()
    {
        var time = new FakeTimeProvider();
        var cache = new AlertmanagerDuplicateCache(time, TimeSpan.FromMinutes(1));

        Assert.True(cache.TryAdd(1));
        time.Advance(TimeSpan.FromSeconds(59));
        Assert.False(cache.TryAdd(1));
        time.Advance(TimeSpan.FromSeconds(1));
        Assert.True(cache.TryAdd(1));
    }

    [Fact]
    public void TryAdd_MoreKeysThanCapacity_StaysBoundedAndForgetsOldest()
    {
        var cache = new AlertmanagerDuplicateCache(new FakeTimeProvider(), TimeSpan.FromMinutes(1), capacity: 100);

        for (UInt128 key = 0; key < 1000; key++)
        {
            Assert.True(cache.TryAdd(key));
        }

        Assert.Equal(100, cache.Count);
        Assert.False(cache.TryAdd(999));
        Assert.True(cache.TryAdd(0));
    }

    [Fact]
    public void TryAdd_ZeroWindow_NeverDuplicate()
    {
        var cache = new AlertmanagerDuplicateCache(new FakeTimeProvider(), TimeSpan.Zero);

        Assert.True(cache.TryAdd(7));
        Assert.True(cache.TryAdd(7));
        Assert.Equal(0, cache.Count);
    }

    [Fact]
    public void Remove_AddedKey_NextAddIsNew()
    {
        var cache = new AlertmanagerDuplicateCache(new FakeTimeProvider(), TimeSpan.FromMinutes(1));

        Assert.True(cache.TryAdd(3));
        cache.Remove(3);

        Assert.True(cache.TryAdd(3));
    }

    [Fact]
    public void FingerprintOf_SameLabelsAnyOrder_SameStableValue()
    {
        var a = new Dictionary<string, string> { ["alertname"] = "X", ["job"] = "a" };
        var b = new Dictionary<string, string> { ["job"] = "a", ["alertname"] = "X" };
        var c = new Dictionary<string, string> { ["job"] = "b", ["alertname"] = "X" };

        Assert.Equal(AlertmanagerMapping.FingerprintOf(a), AlertmanagerMapping.FingerprintOf(b));
        Assert.NotEqual(AlertmanagerMapping.FingerprintOf(a), AlertmanagerMapping.FingerprintOf(c));
        Assert.Equal(AlertmanagerMapping.FingerprintOf(a), AlertmanagerMapping.FingerprintOf(new Dictionary<string, string>(a)));
    }
}
