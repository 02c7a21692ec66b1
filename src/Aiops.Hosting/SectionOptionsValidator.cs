using Aiops.Detection.Internal;
using Microsoft.Extensions.Options;

namespace Aiops.Hosting;

/// <summary>Validates an options object's data annotations, naming each bad key by its configuration path.</summary>
/// <typeparam name="T">The options type.</typeparam>
/// <param name="section">The configuration section of the options.</param>
internal sealed class SectionOptionsValidator<T>(string section) : IValidateOptions<T>
    where T : class
{
    public ValidateOptionsResult Validate(string? name, T options)
    {
        var failures = OptionsValidator.Errors(options, section, ':').ToList();
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
