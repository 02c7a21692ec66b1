using System.Security.Cryptography;

namespace Aiops.Hosting.Dashboard;

/// <summary>The dashboard's page, script and style, read once from this assembly's embedded resources. Immutable; thread-safe.</summary>
internal sealed class DashboardAssets
{
    public const string PageName = "index.html";

    public const string ScriptName = "dashboard.js";

    public const string StyleName = "dashboard.css";

    private const string ResourcePrefix = "Aiops.Hosting.Dashboard.";

    private static readonly Lazy<DashboardAssets> Lazy = new(static () => new DashboardAssets(), LazyThreadSafetyMode.ExecutionAndPublication);

    private DashboardAssets()
    {
        PageTemplate = System.Text.Encoding.UTF8.GetString(Read(PageName));
        Script = new Asset(Read(ScriptName), "text/javascript; charset=utf-8");
        Style = new Asset(Read(StyleName), "text/css; charset=utf-8");
    }

    /// <summary>Gets the assets of this assembly.</summary>
    public static DashboardAssets Shared => Lazy.Value;

    /// <summary>Gets the page, with <c>{{base}}</c>, <c>{{api}}</c>, <c>{{js}}</c> and <c>{{css}}</c> placeholders.</summary>
    public string PageTemplate { get; }

    /// <summary>Gets the script.</summary>
    public Asset Script { get; }

    /// <summary>Gets the style sheet.</summary>
    public Asset Style { get; }

    private static byte[] Read(string name)
    {
        using var stream = typeof(DashboardAssets).Assembly.GetManifestResourceStream(ResourcePrefix + name)
            ?? throw new InvalidOperationException($"The dashboard asset '{name}' is not embedded in {typeof(DashboardAssets).Assembly.GetName().Name}.");
        using var buffer = new MemoryStream();
        stream.CopyTo(buffer);
        return buffer.ToArray();
    }

    /// <summary>One embedded asset with its content type and a version (a hash of its bytes) for the URL and the ETag.</summary>
    internal sealed class Asset
    {
        public Asset(byte[] content, string contentType)
        {
            Content = content;
            ContentType = contentType;
            Version = Convert.ToHexStringLower(SHA256.HashData(content).AsSpan(0, 8));
            ETag = "\"" + Version + "\"";
        }

        public byte[] Content { get; }

        public string ContentType { get; }

        public string Version { get; }

        public string ETag { get; }
    }
}
