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
        var basic = options.Alertmanager;
        if ((basic.BasicAuthUser is not null || basic.BasicAuthPassword is not null)
            && (string.IsNullOrEmpty(basic.BasicAuthUser) || string.IsNullOrEmpty(basic.BasicAuthPassword)))
        {
            // An empty user or password is no secret: anyone could send it.
            failures.Add($"{AiopsOptions.SectionName}:{nameof(AiopsOptions.Alertmanager)}: {nameof(AlertmanagerWebhookOptions.BasicAuthUser)} and {nameof(AlertmanagerWebhookOptions.BasicAuthPassword)} must be set together, and neither may be empty.");
        }

        if (!Enum.IsDefined(options.Channels.FullMode))
        {
            failures.Add($"{AiopsOptions.SectionName}:{nameof(AiopsOptions.Channels)}:{nameof(PipelineChannelOptions.FullMode)}: '{options.Channels.FullMode}' is not a mode; use Wait, DropNewest, DropOldest or DropWrite.");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
