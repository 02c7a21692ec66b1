using System.Text.Json;

namespace Aiops.Backtest.Nab;

/// <summary>A NAB scoring profile: the weights of a detected window, a false positive and a missed window.</summary>
/// <param name="Name">The profile name, e.g. <c>standard</c>.</param>
/// <param name="TruePositiveWeight">What an earliest detection of a window earns (<c>tpWeight</c>).</param>
/// <param name="FalsePositiveWeight">What a detection far from any window costs (<c>fpWeight</c>).</param>
/// <param name="FalseNegativeWeight">What a window without detection costs (<c>fnWeight</c>).</param>
internal sealed record NabProfile(string Name, double TruePositiveWeight, double FalsePositiveWeight, double FalseNegativeWeight);

/// <summary>The NAB profiles: the published defaults, or those of a <c>profiles.json</c> file.</summary>
internal static class NabProfiles
{
    /// <summary>Gets the three published NAB profiles (standard, reward_low_FP_rate, reward_low_FN_rate).</summary>
    public static IReadOnlyList<NabProfile> Default { get; } =
    [
        new("standard", 1.0, 0.11, 1.0),
        new("reward_low_FP_rate", 1.0, 0.22, 1.0),
        new("reward_low_FN_rate", 1.0, 0.11, 2.0),
    ];

    /// <summary>
    /// Reads a NAB <c>profiles.json</c>: <c>{"name": {"CostMatrix": {"tpWeight": 1.0, "fpWeight": 0.11, "fnWeight": 1.0, ...}}, ...}</c>.
    /// </summary>
    /// <param name="path">The file to read.</param>
    /// <returns>The profiles, in file order.</returns>
    /// <exception cref="InvalidDataException">The file is not valid JSON or a profile lacks a weight.</exception>
    public static IReadOnlyList<NabProfile> Load(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        try
        {
            using var document = JsonDocument.Parse(File.ReadAllBytes(path));
            var profiles = new List<NabProfile>();
            foreach (var profile in document.RootElement.EnumerateObject())
            {
                if (!profile.Value.TryGetProperty("CostMatrix", out var costs))
                {
                    throw new InvalidDataException($"{path}: profile '{profile.Name}' has no CostMatrix.");
                }

                profiles.Add(new NabProfile(
                    profile.Name,
                    Weight(costs, "tpWeight", path, profile.Name),
                    Weight(costs, "fpWeight", path, profile.Name),
                    Weight(costs, "fnWeight", path, profile.Name)));
            }

            return profiles.Count > 0 ? profiles : throw new InvalidDataException($"{path}: no profiles.");
        }
        catch (Exception ex) when (ex is JsonException or InvalidOperationException)
        {
            throw new InvalidDataException($"{path}: not a NAB profiles file ({ex.Message}).", ex);
        }
    }

    private static double Weight(JsonElement costs, string name, string path, string profile) =>
        costs.TryGetProperty(name, out var weight) && weight.TryGetDouble(out var value) && double.IsFinite(value) && value >= 0
            ? value
            : throw new InvalidDataException($"{path}: profile '{profile}' needs a non-negative number '{name}'.");
}
