using System.ComponentModel.DataAnnotations;
using System.Reflection;

namespace Aiops.Gates;

/// <summary>Collects every validation failure of an options object (attributes and cross-field rules) under a key prefix.</summary>
internal static class OptionsErrors
{
    /// <summary>
    /// Adds the failures of <paramref name="instance"/> to <paramref name="errors"/>, with each member name prefixed. Unlike
    /// <see cref="Validator.TryValidateObject(object, ValidationContext, ICollection{ValidationResult}?, bool)"/>, the
    /// cross-field rules run even when an attribute failed, so every failure is reported at once.
    /// </summary>
    public static void Collect(object instance, string prefix, List<ValidationResult> errors)
    {
        var context = new ValidationContext(instance);
        var local = new List<ValidationResult>();
        foreach (var property in instance.GetType().GetProperties(BindingFlags.Public | BindingFlags.Instance))
        {
            if (property.GetIndexParameters().Length == 0 && property.IsDefined(typeof(ValidationAttribute), inherit: true))
            {
                context.MemberName = property.Name;
                Validator.TryValidateProperty(property.GetValue(instance), context, local);
            }
        }

        context.MemberName = null;
        if (instance is IValidatableObject validatable)
        {
            local.AddRange(validatable.Validate(context));
        }

        foreach (var result in local)
        {
            var members = result.MemberNames.Any() ? result.MemberNames.Select(m => prefix + m).ToArray() : [prefix.TrimEnd(':')];
            errors.Add(new ValidationResult(result.ErrorMessage, members));
        }
    }

    /// <summary>Formats one failure as <c>key: message</c>.</summary>
    public static string Format(ValidationResult result) =>
        result.MemberNames.FirstOrDefault() is { Length: > 0 } key ? $"{key}: {result.ErrorMessage}" : result.ErrorMessage ?? "invalid";

    /// <summary>Throws one <see cref="ValidationException"/> listing every failure, when there is any.</summary>
    /// <exception cref="ValidationException">There were failures.</exception>
    public static void ThrowIfAny(List<ValidationResult> errors)
    {
        if (errors.Count == 0)
        {
            return;
        }

        var message = $"Invalid gate configuration ({errors.Count} error{(errors.Count == 1 ? string.Empty : "s")}):"
            + Environment.NewLine + string.Join(Environment.NewLine, errors.Select(Format));
        var keys = errors.SelectMany(e => e.MemberNames).Distinct(StringComparer.Ordinal).ToArray();
        throw new ValidationException(new ValidationResult(message, keys), validatingAttribute: null, value: null);
    }

    /// <summary>The closest candidate to a misspelt name, when it is close enough to be a likely typo.</summary>
    public static string? Suggest(string value, IEnumerable<string> candidates)
    {
        string? best = null;
        var bestDistance = int.MaxValue;
        foreach (var candidate in candidates)
        {
            var distance = Distance(value.ToUpperInvariant(), candidate.ToUpperInvariant());
            if (distance < bestDistance)
            {
                best = candidate;
                bestDistance = distance;
            }
        }

        return bestDistance <= Math.Max(2, value.Length / 3) ? best : null;
    }

    private static int Distance(string a, string b)
    {
        var previous = new int[b.Length + 1];
        var current = new int[b.Length + 1];
        for (var j = 0; j <= b.Length; j++)
        {
            previous[j] = j;
        }

        for (var i = 1; i <= a.Length; i++)
        {
            current[0] = i;
            for (var j = 1; j <= b.Length; j++)
            {
                var cost = a[i - 1] == b[j - 1] ? 0 : 1;
                current[j] = Math.Min(Math.Min(current[j - 1] + 1, previous[j] + 1), previous[j - 1] + cost);
            }

            (previous, current) = (current, previous);
        }

        return previous[b.Length];
    }
}
