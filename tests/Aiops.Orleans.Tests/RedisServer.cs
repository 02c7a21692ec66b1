using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using StackExchange.Redis;

namespace Aiops.Orleans.Tests;

/// <summary>
/// Debian's <c>redis-server</c> on a free loopback port, without persistence to disk (the test reads what the cluster wrote
/// while the server runs), stopped (killed) on dispose. Installed by <c>eng/test-deps.sh</c>.
/// </summary>
public sealed class RedisServer : IAsyncLifetime
{
    private Process? _process;

    public int Port { get; private set; }

    public string Configuration => $"127.0.0.1:{Port},abortConnect=false";

    public async Task InitializeAsync()
    {
        Port = FreePort();
        var start = new ProcessStartInfo("redis-server")
        {
            ArgumentList = { "--port", Port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--bind", "127.0.0.1", "--save", string.Empty, "--appendonly", "no", "--protected-mode", "no" },
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        _process = Process.Start(start) ?? throw new InvalidOperationException("redis-server did not start (run eng/test-deps.sh).");
        _process.OutputDataReceived += static (_, _) => { };
        _process.ErrorDataReceived += static (_, _) => { };
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();

        // Ready when it answers PING (a generous budget for a loaded machine; not an assertion on time).
        for (var attempt = 0; attempt < 300; attempt++)
        {
            try
            {
                await using var connection = await ConnectionMultiplexer.ConnectAsync($"127.0.0.1:{Port},abortConnect=true,connectTimeout=1000");
                await connection.GetDatabase().PingAsync();
                return;
            }
            catch (RedisConnectionException) when (!_process.HasExited)
            {
                await Task.Delay(100);
            }
        }

        throw new InvalidOperationException($"redis-server on port {Port} did not answer.");
    }

    public Task DisposeAsync()
    {
        if (_process is { HasExited: false })
        {
            _process.Kill();
            _process.WaitForExit();
        }

        _process?.Dispose();
        return Task.CompletedTask;
    }

    /// <summary>Every value stored in the server, as text (strings and hash fields), keyed by the Redis key.</summary>
    public async Task<Dictionary<string, string>> DumpAsync()
    {
        await using var connection = await ConnectionMultiplexer.ConnectAsync(Configuration);
        var server = connection.GetServer("127.0.0.1", Port);
        var database = connection.GetDatabase();
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        await foreach (var key in server.KeysAsync(pattern: "*"))
        {
            var type = await database.KeyTypeAsync(key);
            values[key.ToString()] = type switch
            {
                RedisType.String => (string?)await database.StringGetAsync(key) ?? string.Empty,
                RedisType.Hash => string.Join("\n", (await database.HashGetAllAsync(key)).Select(e => $"{e.Name}={e.Value}")),
                _ => type.ToString(),
            };
        }

        return values;
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
