using System.ComponentModel.DataAnnotations;

namespace Aiops.Detection.Internal;

/// <summary>Validates an options object against its DataAnnotations attributes.</summary>
internal static class OptionsValidator
{
    /// <exception cref="ValidationException">A value is out of range; the message names the options type and the property.</exception>
    public static void ThrowIfInvalid(object options)
    {
        var results = new List<ValidationResult>();
        if (!Validator.TryValidateObject(options, new ValidationContext(options), results, validateAllProperties: true))
        {
            var name = options.GetType().Name;
            throw new ValidationException(string.Join(Environment.NewLine, results.Select(r => $"{name}.{string.Join(",", r.MemberNames)}: {r.ErrorMessage}")));
        }
    }
}
