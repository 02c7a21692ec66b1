using System.Collections;
using System.ComponentModel.DataAnnotations;
using System.Globalization;
using System.Reflection;
using Microsoft.Extensions.Configuration;

namespace Aiops.Gates;

/// <summary>
/// Binds configuration onto the gates' options strictly: an unknown key, a value of the wrong type, a section where a value
/// belongs (or the reverse) are all failures named by their full configuration path, and every failure is collected rather
/// than the first one thrown. Lists replace their defaults instead of appending to them. Durations need a colon
/// (<c>00:15:00</c>; a bare <c>15</c> would be fifteen days).
/// </summary>
internal static class ConfigurationReader
{
    /// <summary>Binds the children of <paramref name="section"/> onto the public settable properties of <paramref name="target"/>.</summary>
    public static void BindObject(IConfiguration section, object target, List<ValidationResult> errors, params string[] ignoredKeys)
    {
        var properties = WritableProperties(target.GetType());
        foreach (var child in section.GetChildren())
        {
            if (ignoredKeys.Contains(child.Key, StringComparer.OrdinalIgnoreCase))
            {
                continue;
            }

            var property = properties.FirstOrDefault(p => string.Equals(p.Name, child.Key, StringComparison.OrdinalIgnoreCase));
            if (property is null)
            {
                var known = properties.Select(p => p.Name).ToList();
                var suggestion = OptionsErrors.Suggest(child.Key, known) is { } s ? $"did you mean '{s}'? " : string.Empty;
                errors.Add(Error(child, $"unknown key '{child.Key}'; {suggestion}known keys: {string.Join(", ", known)}."));
                continue;
            }

            if (TryRead(child, property.PropertyType, errors, out var value))
            {
                property.SetValue(target, value);
            }
        }
    }

    /// <summary>Reads one section as a value of <paramref name="type"/>; adds failures and returns <see langword="false"/> when it can't.</summary>
    public static bool TryRead(IConfigurationSection section, Type type, List<ValidationResult> errors, out object? value)
    {
        var children = section.GetChildren().ToList();
        if (IsScalar(type))
        {
            value = null;
            if (children.Count > 0)
            {
                errors.Add(Error(section, $"expected a single value ({Describe(type)}), not a section."));
                return false;
            }

            return TryConvert(section, type, errors, out value);
        }

        if (ListElementType(type) is { } element)
        {
            var list = (IList)Activator.CreateInstance(typeof(List<>).MakeGenericType(element))!;
            value = list;
            if (children.Count == 0)
            {
                if (!string.IsNullOrEmpty(section.Value))
                {
                    errors.Add(Error(section, $"expected a list (a JSON array), not the single value '{section.Value}'."));
                    return false;
                }

                return true; // An empty array (or null): an empty list.
            }

            var ok = true;
            foreach (var child in children)
            {
                if (!int.TryParse(child.Key, NumberStyles.None, CultureInfo.InvariantCulture, out _))
                {
                    errors.Add(Error(child, $"expected a list index, not the key '{child.Key}'."));
                    ok = false;
                    continue;
                }

                if (TryRead(child, element, errors, out var item))
                {
                    list.Add(item);
                }
                else
                {
                    ok = false;
                }
            }

            return ok;
        }

        // An options object.
        value = null;
        if (children.Count == 0 && !string.IsNullOrEmpty(section.Value))
        {
            errors.Add(Error(section, $"expected a section (a JSON object), not the value '{section.Value}'."));
            return false;
        }

        var instance = Activator.CreateInstance(type)!;
        var before = errors.Count;
        BindObject(section, instance, errors);
        value = instance;
        return errors.Count == before;
    }

    /// <summary>A failure at a configuration key.</summary>
    public static ValidationResult Error(IConfigurationSection section, string message) => new(message, [section.Path]);

    private static List<PropertyInfo> WritableProperties(Type type) =>
        [.. type.GetProperties(BindingFlags.Public | BindingFlags.Instance).Where(p => p.SetMethod is { IsPublic: true } && p.GetIndexParameters().Length == 0)];

    private static bool IsScalar(Type type)
    {
        type = Nullable.GetUnderlyingType(type) ?? type;
        return type.IsEnum || type == typeof(string) || type == typeof(bool) || type == typeof(int) || type == typeof(long)
            || type == typeof(double) || type == typeof(TimeSpan) || type == typeof(DateTimeOffset);
    }

    private static Type? ListElementType(Type type)
    {
        if (type.IsArray)
        {
            return null;
        }

        if (type.IsGenericType)
        {
            var definition = type.GetGenericTypeDefinition();
            if (definition == typeof(IList<>) || definition == typeof(ICollection<>) || definition == typeof(IEnumerable<>)
                || definition == typeof(IReadOnlyList<>) || definition == typeof(IReadOnlyCollection<>) || definition == typeof(List<>))
            {
                return type.GetGenericArguments()[0];
            }
        }

        return null;
    }

    private static bool TryConvert(IConfigurationSection section, Type type, List<ValidationResult> errors, out object? value)
    {
        var text = section.Value;
        var underlying = Nullable.GetUnderlyingType(type);
        var target = underlying ?? type;
        value = null;
        if (string.IsNullOrEmpty(text))
        {
            if (underlying is not null || target == typeof(string))
            {
                return true; // Null or empty: unset.
            }

            errors.Add(Error(section, $"a value is required ({Describe(target)}); remove the key to use the default."));
            return false;
        }

        var invariant = CultureInfo.InvariantCulture;
        var trimmed = text.Trim();
        bool ok;
        if (target == typeof(string))
        {
            value = text;
            return true;
        }
        else if (target == typeof(bool))
        {
            ok = bool.TryParse(trimmed, out var b);
            value = b;
        }
        else if (target == typeof(int))
        {
            ok = int.TryParse(trimmed, NumberStyles.Integer, invariant, out var i);
            value = i;
        }
        else if (target == typeof(long))
        {
            ok = long.TryParse(trimmed, NumberStyles.Integer, invariant, out var l);
            value = l;
        }
        else if (target == typeof(double))
        {
            ok = double.TryParse(trimmed, NumberStyles.Float, invariant, out var d) && double.IsFinite(d);
            value = d;
        }
        else if (target == typeof(TimeSpan))
        {
            ok = TimeSpan.TryParse(trimmed, invariant, out var t) && trimmed.Contains(':', StringComparison.Ordinal);
            value = t;
        }
        else if (target == typeof(DateTimeOffset))
        {
            ok = DateTimeOffset.TryParse(trimmed, invariant, DateTimeStyles.AssumeUniversal, out var o);
            value = o;
        }
        else
        {
            // Enums: a defined name, any case; numbers are refused (an undefined number would slip through).
            ok = Enum.TryParse(target, trimmed, ignoreCase: true, out var e)
                && !char.IsAsciiDigit(trimmed[0]) && trimmed[0] != '-' && !trimmed.Contains(',', StringComparison.Ordinal) && Enum.IsDefined(target, e!);
            value = e;
        }

        if (!ok)
        {
            value = null;
            errors.Add(Error(section, $"'{text}' is not {Describe(target)}."));
        }

        return ok;
    }

    private static string Describe(Type type)
    {
        type = Nullable.GetUnderlyingType(type) ?? type;
        if (type.IsEnum)
        {
            return $"one of {string.Join(", ", Enum.GetNames(type))}";
        }

        return type == typeof(bool) ? "true or false"
            : type == typeof(int) || type == typeof(long) ? "an integer"
            : type == typeof(double) ? "a finite number (use '.' for decimals)"
            : type == typeof(TimeSpan) ? "a duration [d.]hh:mm[:ss[.fff]] (for example 00:15:00)"
            : type == typeof(DateTimeOffset) ? "an ISO 8601 date and time"
            : type == typeof(string) ? "a string"
            : $"a {type.Name} section";
    }
}
