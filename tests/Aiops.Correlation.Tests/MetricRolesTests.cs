using System.ComponentModel.DataAnnotations;

namespace Aiops.Correlation.Tests;

public sealed class MetricRolesTests
{
    private static SignalClassifier With(params (string Name, SignalClass Role)[] roles)
    {
        var options = new SignalClassifierOptions();
        foreach (var (name, role) in roles)
        {
            options.MetricRoles[name] = role;
        }

        return new SignalClassifier(options);
    }

    [Fact]
    public void Classify_NameNoPatternKnows_OtherByDefault()
    {
        Assert.Equal(SignalClass.Other, SignalClassifier.Default.Classify("ops"));
        Assert.Equal(SignalClass.Other, SignalClassifier.Default.Classify("rss"));
    }

    [Fact]
    public void Classify_ConfiguredRole_WinsOverNothingAndOverPatterns()
    {
        var classifier = With(("ops", SignalClass.Traffic), ("rss", SignalClass.Saturation), ("checkout_timeout_budget", SignalClass.Latency));
        Assert.Equal(SignalClass.Traffic, classifier.Classify("ops"));
        Assert.Equal(SignalClass.Traffic, classifier.Classify("OPS")); // names compare case-insensitively
        Assert.Equal(SignalClass.Saturation, classifier.Classify("rss"));
        Assert.Equal(SignalClass.Latency, classifier.Classify("checkout_timeout_budget")); // the "timeout" pattern would say errors
        Assert.Equal(SignalClass.Other, classifier.Classify("ops_total")); // exact names only
    }

    [Fact]
    public void Classify_OverrideLabel_WinsOverConfiguredRole()
    {
        var classifier = With(("ops", SignalClass.Traffic));
        var labels = new Dictionary<string, string> { [SignalClassifierOptions.DefaultOverrideKey] = "errors" };
        Assert.Equal(SignalClass.Errors, classifier.Classify("ops", labels));
    }

    [Fact]
    public void Constructor_UndefinedRole_Throws()
    {
        var options = new SignalClassifierOptions();
        options.MetricRoles["ops"] = (SignalClass)42;
        var error = Assert.Throws<ValidationException>(() => new SignalClassifier(options));
        Assert.Contains(nameof(SignalClassifierOptions.MetricRoles), error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Constructor_RolesChangedAfterwards_NoEffect()
    {
        var options = new SignalClassifierOptions();
        options.MetricRoles["ops"] = SignalClass.Traffic;
        var classifier = new SignalClassifier(options);
        options.MetricRoles["ops"] = SignalClass.Errors;
        Assert.Equal(SignalClass.Traffic, classifier.Classify("ops"));
    }
}
