using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using StackExchange.Redis;

namespace ZinTrust.Workers.Testing;

/// <summary>
/// A Redis server of a test's own (the shared one must not be killed under other tests): 127.0.0.1 on a free port, data in a
/// temporary folder, AOF on with fsync every second, as <c>infra/redis.sh</c> runs it. It can be killed with SIGKILL, restarted
/// on its data, and have its data folder copied and put back, which is what a host crash that loses the last writes leaves.
/// </summary>
public sealed class DedicatedRedis : IAsyncDisposable
{
    private readonly string directory = Directory.CreateTempSubdirectory("zt-redis-").FullName;
    private Process? server;

    private DedicatedRedis(int port) => Port = port;

    public int Port { get; }

    public string Endpoint => $"127.0.0.1:{Port.ToString(CultureInfo.InvariantCulture)}";

    public static async Task<DedicatedRedis> LaunchAsync(CancellationToken cancellationToken)
    {
        var redis = new DedicatedRedis(FreePort());
        try
        {
            await redis.StartAsync(cancellationToken);
            return redis;
        }
        catch
        {
            await redis.DisposeAsync();
            throw;
        }
    }

    /// <summary>Starts the server on its data folder and waits until it answers.</summary>
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var start = new ProcessStartInfo("redis-server", [
            "--bind", "127.0.0.1", "--port", Port.ToString(CultureInfo.InvariantCulture), "--dir", directory,
            "--appendonly", "yes", "--appendfsync", "everysec", "--save", "", "--logfile", Path.Combine(directory, "redis.log")])
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        server = Process.Start(start)!;
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (true)
        {
            if (server.HasExited)
            {
                var log = Path.Combine(directory, "redis.log");
                Assert.Fail($"redis-server on {Port} exited: {(File.Exists(log) ? await File.ReadAllTextAsync(log, cancellationToken) : await server.StandardOutput.ReadToEndAsync(cancellationToken))}");
            }

            try
            {
                await using var connection = await ConnectionMultiplexer.ConnectAsync(new ConfigurationOptions { EndPoints = { Endpoint }, ConnectTimeout = 1000, AbortOnConnectFail = true });
                var answer = await connection.GetDatabase().PingAsync();
                if (answer >= TimeSpan.Zero)
                {
                    return;
                }
            }
            catch (RedisConnectionException)
            {
            }
            catch (RedisServerException ex) when (ex.Message.StartsWith("LOADING", StringComparison.Ordinal))
            {
            }

            Assert.True(DateTime.UtcNow < deadline, $"redis-server on {Port} did not answer within 30 s");
            await Task.Delay(100, cancellationToken);
        }
    }

    /// <summary>A clean stop (<c>SHUTDOWN</c>: the AOF is flushed and fsynced), as <c>infra/redis.sh restart</c> does;
    /// <see cref="StartAsync"/> starts it again on the same data.</summary>
    public async Task ShutdownAsync(CancellationToken cancellationToken)
    {
        if (server is not { HasExited: false } running)
        {
            return;
        }

        await using (var connection = await ConnectionMultiplexer.ConnectAsync(new ConfigurationOptions { EndPoints = { Endpoint }, AllowAdmin = true, ConnectTimeout = 5000 }))
        {
            try
            {
                await connection.GetServer(Endpoint).ExecuteAsync("SHUTDOWN");
            }
            catch (RedisConnectionException)
            {
                // The server closes the connection as it goes: that is the expected answer.
            }
        }

        await running.WaitForExitAsync(cancellationToken);
        running.Dispose();
        server = null;
    }

    /// <summary>SIGKILL: no shutdown, no final fsync (the OS still has what Redis wrote, as after a process crash).</summary>
    public void Kill()
    {
        if (server is { HasExited: false } running)
        {
            running.Kill();
            running.WaitForExit();
        }

        server?.Dispose();
        server = null;
    }

    /// <summary>A copy of the data folder as it is now (the AOF as far as it was written).</summary>
    public string CopyData()
    {
        var copy = Directory.CreateTempSubdirectory("zt-redis-copy-").FullName;
        CopyTree(directory, copy);
        return copy;
    }

    /// <summary>Replaces the data folder by an earlier <see cref="CopyData"/> (the server must be stopped).</summary>
    public void RestoreData(string copy)
    {
        Assert.Null(server);
        Directory.Delete(directory, recursive: true);
        Directory.CreateDirectory(directory);
        CopyTree(copy, directory);
    }

    public ValueTask DisposeAsync()
    {
        Kill();
        try
        {
            Directory.Delete(directory, recursive: true);
        }
        catch (IOException)
        {
        }

        return ValueTask.CompletedTask;
    }

    private static void CopyTree(string from, string to)
    {
        foreach (var dir in Directory.GetDirectories(from, "*", SearchOption.AllDirectories))
        {
            Directory.CreateDirectory(dir.Replace(from, to, StringComparison.Ordinal));
        }

        foreach (var file in Directory.GetFiles(from, "*", SearchOption.AllDirectories))
        {
            if (!file.EndsWith(".log", StringComparison.Ordinal))
            {
                File.Copy(file, file.Replace(from, to, StringComparison.Ordinal), overwrite: true);
            }
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
