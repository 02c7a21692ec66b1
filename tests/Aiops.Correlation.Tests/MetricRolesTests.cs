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
        Assert.Equal(SignalClass.Other, SignalClassifier.Default.Classify("qty"));
        Assert.Equal(SignalClass.Other, SignalClassifier.Default.Classify("qlen"));
    }

    [Fact]
    public void Classify_ConfiguredRole_WinsOverNothingAndOverPatterns()
    {
        var classifier = With(("qty", SignalClass.Traffic), ("qlen", SignalClass.Saturation), ("checkout_timeout_budget", SignalClass.Latency), ("cart_err", SignalClass.Traffic));
        Assert.Equal(SignalClass.Traffic, classifier.Classify("qty"));
        Assert.Equal(SignalClass.Traffic, classifier.Classify("QTY")); // names compare case-insensitively
        Assert.Equal(SignalClass.Saturation, classifier.Classify("qlen"));
        Assert.Equal(SignalClass.Latency, classifier.Classify("checkout_timeout_budget")); // the "timeout" pattern would say errors
        Assert.Equal(SignalClass.Traffic, classifier.Classify("cart_err")); // the word "err" would say errors
        Assert.Equal(SignalClass.Other, classifier.Classify("qty_total")); // exact names only
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
