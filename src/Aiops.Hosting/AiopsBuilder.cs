using Microsoft.Extensions.DependencyInjection;

namespace Aiops.Hosting;

/// <summary>Configures the Aiops pipeline inside <c>AddAiops(...)</c>. Not thread-safe; used during startup only.</summary>
/// <param name="services">The host's services.</param>
public sealed class AiopsBuilder(IServiceCollection services)
{
    /// <summary>Gets the host's services, for registrations the builder does not cover.</summary>
    public IServiceCollection Services { get; } = services;
}
