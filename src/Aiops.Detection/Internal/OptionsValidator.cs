using System.ComponentModel.DataAnnotations;

namespace Aiops.Detection.Internal;

/// <summary>
/// Validates an options object against its DataAnnotations attributes (and <see cref="IValidatableObject"/>). One copy of
/// this file is compiled into every Aiops package.
/// </summary>
internal static class OptionsValidator
{
    /// <summary>The failures of <paramref name="options"/>, each as <c>prefix.Property: message</c> (or <c>prefix:Property</c> for configuration paths).</summary>
    public static IEnumerable<string> Errors(object options, string prefix, char separator = '.')
    {
        var results = new List<ValidationResult>();
        return Validator.TryValidateObject(options, new ValidationContext(options), results, validateAllProperties: true)
            ? []
            : results.Select(r => $"{prefix}{separator}{string.Join(",", r.MemberNames)}: {r.ErrorMessage}");
    }

    /// <exception cref="ValidationException">A value is out of range; the message names the options type and the property.</exception>
    public static void ThrowIfInvalid(object options)
    {
        var errors = Errors(options, options.GetType().Name).ToList();
        if (errors.Count > 0)
        {
            throw new ValidationException(string.Join(Environment.NewLine, errors));
        }
    }
}
