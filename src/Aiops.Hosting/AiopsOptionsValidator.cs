using Aiops.Detection.Internal;
using Microsoft.Extensions.Options;

namespace Aiops.Hosting;

/// <summary>Validates <see cref="AiopsOptions"/> and every nested options object, naming each bad key by its configuration path.</summary>
internal sealed class AiopsOptionsValidator : IValidateOptions<AiopsOptions>
{
    public ValidateOptionsResult Validate(string? name, AiopsOptions options)
    {
        var failures = new List<string>();
        failures.AddRange(OptionsValidator.Errors(options.Channels, $"{AiopsOptions.SectionName}:{nameof(AiopsOptions.Channels)}", ':'));
        failures.AddRange(OptionsValidator.Errors(options.Alertmanager, $"{AiopsOptions.SectionName}:{nameof(AiopsOptions.Alertmanager)}", ':'));
        if (options.Alertmanager.BasicAuthUser is null != options.Alertmanager.BasicAuthPassword is null)
        {
            failures.Add($"{AiopsOptions.SectionName}:{nameof(AiopsOptions.Alertmanager)}: {nameof(AlertmanagerWebhookOptions.BasicAuthUser)} and {nameof(AlertmanagerWebhookOptions.BasicAuthPassword)} must be set together.");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
