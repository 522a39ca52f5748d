using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using StackExchange.Redis;

namespace ZinTrust.Workers.Integration.Tests;

/// <summary>
/// The 3-master Redis Cluster that <c>infra/redis-cluster.sh</c> starts (ZT_TEST_REDIS_CLUSTER, its seed endpoints), with the
/// operator's moves the tests make on it: where a key lives, a slot migrated key by key (CLUSTER SETSLOT IMPORTING / MIGRATING,
/// MIGRATE, SETSLOT NODE, as <c>redis-cli --cluster reshard</c> does it), and a master stopped (SHUTDOWN: AOF flushed) and started
/// again from its config file. Tests use their own key prefixes and never flush it.
/// </summary>
public sealed class RealRedisCluster : IAsyncDisposable
{
    public const string Variable = "ZT_TEST_REDIS_CLUSTER";

    private readonly ConfigurationOptions config;

    private RealRedisCluster(ConnectionMultiplexer admin, ConfigurationOptions config)
    {
        Admin = admin;
        this.config = config;
    }

    /// <summary>
    /// The seed endpoints. Without them the test is skipped with a message saying how to run it, except under CI (CI=true),
    /// where it fails: a green CI run must have run it.
    /// </summary>
    public static string Configuration
    {
        get
        {
            if (Environment.GetEnvironmentVariable(Variable) is { Length: > 0 } seeds)
            {
                return seeds;
            }

            const string message = $"{Variable} is not set: run the tests through ./infra/test.sh, or infra/redis-cluster.sh start and export {Variable}=\"$(infra/redis-cluster.sh url)\".";
            if (string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase))
            {
                throw new InvalidOperationException(message);
            }

            Assert.Skip(message);
            return "";
        }
    }

    /// <summary>An admin connection (CLUSTER, MIGRATE, SHUTDOWN) to every node.</summary>
    public ConnectionMultiplexer Admin { get; }

    public static async Task<RealRedisCluster> ConnectAsync()
    {
        var config = ConfigurationOptions.Parse(Configuration);
        config.AllowAdmin = true;
        config.AbortOnConnectFail = false;
        var admin = await ConnectionMultiplexer.ConnectAsync(config);
        var cluster = new RealRedisCluster(admin, config);
        await cluster.WaitHealthyAsync(TimeSpan.FromSeconds(30));
        return cluster;
    }

    public int SlotOf(RedisKey key) => Admin.HashSlot(key);

    /// <summary>The masters as the cluster reports them now (fresh CLUSTER NODES).</summary>
    public async Task<IReadOnlyList<ClusterNode>> MastersAsync()
    {
        var nodes = await AnyServer().ClusterNodesAsync() ?? throw new InvalidOperationException("CLUSTER NODES answered nothing.");
        return [.. nodes.Nodes.Where(n => !n.IsReplica).OrderBy(n => n.EndPoint?.ToString(), StringComparer.Ordinal)];
    }

    /// <summary>The master serving a key's slot now.</summary>
    public async Task<ClusterNode> OwnerAsync(RedisKey key)
    {
        var nodes = await AnyServer().ClusterNodesAsync() ?? throw new InvalidOperationException("CLUSTER NODES answered nothing.");
        return nodes.GetBySlot(key) ?? throw new InvalidOperationException($"No node serves the slot of '{key}'.");
    }

    /// <summary>Whether a node holds a key itself (EXISTS with no redirection followed: another node's key answers MOVED).</summary>
    public async Task<bool> HoldsAsync(ClusterNode node, RedisKey key)
    {
        var answer = await Admin.GetServer(node.EndPoint!).ExecuteAsync("EXISTS", [key], CommandFlags.NoRedirect);
        return (long)answer == 1;
    }

    /// <summary>The first step of a resharding: the target imports the slot, the source migrates it.</summary>
    public async Task BeginMigrationAsync(int slot, ClusterNode from, ClusterNode to)
    {
        await Run(to, "CLUSTER", "SETSLOT", slot, "IMPORTING", from.NodeId);
        await Run(from, "CLUSTER", "SETSLOT", slot, "MIGRATING", to.NodeId);
    }

    /// <summary>MIGRATEs one key of the slot (atomic per key: it leaves the source when the target has it).</summary>
    public async Task MigrateKeyAsync(ClusterNode from, ClusterNode to, RedisKey key)
    {
        var target = Ip(to.EndPoint!);
        var args = new List<object> { target.Address.ToString(), target.Port, "", 0, 10_000 };
        if (!string.IsNullOrEmpty(config.Password))
        {
            args.AddRange(["AUTH", config.Password]);
        }

        args.AddRange(["KEYS", key]);
        await Admin.GetServer(from.EndPoint!).ExecuteAsync("MIGRATE", args, CommandFlags.NoRedirect);
    }

    /// <summary>The keys of a slot still on the source, at most <paramref name="count"/>.</summary>
    public async Task<RedisKey[]> KeysInSlotAsync(ClusterNode node, int slot, int count) =>
        (RedisKey[])(await Run(node, "CLUSTER", "GETKEYSINSLOT", slot, count))!;

    /// <summary>Moves every key left in the slot (between each key, <paramref name="betweenKeys"/>), then hands the slot over.</summary>
    public async Task MoveRestOfSlotAsync(int slot, ClusterNode from, ClusterNode to, Func<Task>? betweenKeys = null)
    {
        while (await KeysInSlotAsync(from, slot, 10) is { Length: > 0 } keys)
        {
            foreach (var key in keys)
            {
                await MigrateKeyAsync(from, to, key);
                if (betweenKeys is not null)
                {
                    await betweenKeys();
                }
            }
        }

        await FinishMigrationAsync(slot, to);
    }

    /// <summary>The last step: every master learns the slot's new owner (the target first, as redis-cli does).</summary>
    public async Task FinishMigrationAsync(int slot, ClusterNode to)
    {
        await Run(to, "CLUSTER", "SETSLOT", slot, "NODE", to.NodeId);
        foreach (var master in await MastersAsync())
        {
            if (master.NodeId != to.NodeId)
            {
                await Run(master, "CLUSTER", "SETSLOT", slot, "NODE", to.NodeId);
            }
        }
    }

    /// <summary>The node's config file (the infra script starts every node from one, so it can be started again).</summary>
    public async Task<string> ConfigFileAsync(ClusterNode node)
    {
        var info = (string)(await Admin.GetServer(node.EndPoint!).ExecuteAsync("INFO", ["server"], CommandFlags.NoRedirect))!;
        var line = info.Split('\n').Select(l => l.Trim()).FirstOrDefault(l => l.StartsWith("config_file:", StringComparison.Ordinal));
        var file = line?["config_file:".Length..];
        Assert.False(string.IsNullOrEmpty(file), $"{node.EndPoint} was started without a config file (infra/redis-cluster.sh starts every node from one)");
        return file!;
    }

    /// <summary>SHUTDOWN (the AOF is flushed and fsynced first), and waits until the port no longer answers.</summary>
    public async Task ShutdownAsync(ClusterNode node)
    {
        try
        {
            await Admin.GetServer(node.EndPoint!).ExecuteAsync("SHUTDOWN", [], CommandFlags.NoRedirect);
        }
        catch (RedisConnectionException)
        {
            // The node closes the connection as it goes: that is the expected answer.
        }

        await Eventually.True(async () => !await AnswersAsync(Ip(node.EndPoint!)), $"{node.EndPoint} stops");
    }

    /// <summary>Starts a node again from its config file (it daemonizes) and waits until the whole cluster is healthy.</summary>
    public async Task StartAsync(string configFile, ClusterNode node)
    {
        using (var start = Process.Start(new ProcessStartInfo("redis-server", [configFile]) { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true })!)
        {
            await start.WaitForExitAsync(TestContext.Current.CancellationToken);
            Assert.True(start.ExitCode == 0, $"redis-server {configFile} failed: {await start.StandardError.ReadToEndAsync(TestContext.Current.CancellationToken)}");
        }

        await Eventually.True(() => AnswersAsync(Ip(node.EndPoint!)), $"{node.EndPoint} answers again", TimeSpan.FromSeconds(60));
        await WaitHealthyAsync(TimeSpan.FromSeconds(60));
    }

    /// <summary>Deletes a test's keys (SCAN by prefix on every master, then DEL each): the cluster is shared and never flushed.</summary>
    public Task DeletePrefixAsync(string prefix) => DeleteMatchingAsync(prefix + ":*");

    /// <summary>Deletes the keys matching a glob <paramref name="pattern"/> on every master.</summary>
    public async Task DeleteMatchingAsync(string pattern)
    {
        foreach (var master in await MastersAsync())
        {
            var server = Admin.GetServer(master.EndPoint!);
            await foreach (var key in server.KeysAsync(0, pattern, pageSize: 500))
            {
                await Admin.GetDatabase().KeyDeleteAsync(key);
            }
        }
    }

    public async ValueTask DisposeAsync() => await Admin.DisposeAsync();

    /// <summary>Every master answers and reports cluster_state:ok, and no slot is left importing or migrating.</summary>
    private async Task WaitHealthyAsync(TimeSpan timeout) =>
        await Eventually.True(
            async () =>
            {
                foreach (var endpoint in config.EndPoints)
                {
                    if (!await AnswersAsync(Ip(endpoint)))
                    {
                        return false;
                    }

                    var info = (string)(await Admin.GetServer(endpoint).ExecuteAsync("CLUSTER", ["INFO"], CommandFlags.NoRedirect))!;
                    var nodes = (string)(await Admin.GetServer(endpoint).ExecuteAsync("CLUSTER", ["NODES"], CommandFlags.NoRedirect))!;
                    if (!info.Contains("cluster_state:ok", StringComparison.Ordinal) || nodes.Contains("fail", StringComparison.Ordinal) || nodes.Contains("->-", StringComparison.Ordinal) || nodes.Contains("-<-", StringComparison.Ordinal))
                    {
                        return false;
                    }
                }

                return true;
            },
            "every Redis Cluster master answers, reports cluster_state:ok, flags no node failed and migrates no slot",
            timeout);

    private IServer AnyServer() => Admin.GetServers().First(s => s.IsConnected && !s.IsReplica);

    private Task<RedisResult> Run(ClusterNode node, string command, params object[] args) =>
        Admin.GetServer(node.EndPoint!).ExecuteAsync(command, args, CommandFlags.NoRedirect);

    /// <summary>A PING on a new socket: true when the node answers PONG (or NOAUTH: it is up), false when it refuses or is silent.</summary>
    private static async Task<bool> AnswersAsync(IPEndPoint endpoint)
    {
        try
        {
            using var client = new TcpClient();
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(1));
            await client.ConnectAsync(endpoint, timeout.Token);
            var stream = client.GetStream();
            await stream.WriteAsync("PING\r\n"u8.ToArray(), timeout.Token);
            var buffer = new byte[64];
            int read = await stream.ReadAsync(buffer, timeout.Token);
            var answer = Encoding.ASCII.GetString(buffer, 0, read);
            return answer.StartsWith("+PONG", StringComparison.Ordinal) || answer.StartsWith("-NOAUTH", StringComparison.Ordinal);
        }
        catch (Exception ex) when (ex is SocketException or IOException or OperationCanceledException)
        {
            return false;
        }
    }

    private static IPEndPoint Ip(EndPoint endpoint) => endpoint switch
    {
        IPEndPoint ip => ip,
        DnsEndPoint dns => new IPEndPoint(Dns.GetHostAddresses(dns.Host).First(a => a.AddressFamily == AddressFamily.InterNetwork), dns.Port),
        _ => throw new NotSupportedException($"Endpoint {endpoint} is neither an IP address nor a host name."),
    };
}
