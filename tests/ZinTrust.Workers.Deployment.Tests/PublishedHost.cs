using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Reflection;
using System.Security.Cryptography;
using System.Text;

namespace ZinTrust.Workers.Deployment.Tests;

/// <summary>
/// The host as the image runs it, without the image: the silo project's publish output, started with the Dockerfile's
/// ENV from its own folder, as Production, with an API key ring, as a non-root user (nobody, through setpriv, when the
/// tests run as root). Everything runs in memory on one machine (QUEUE_DRIVER, CLUSTER_DRIVER left at their defaults):
/// the backends are the deployment's business. Disposing kills the process and removes its folders.
/// </summary>
public sealed class PublishedHost : IAsyncLifetime
{
    /// <summary>A viewer-only key: it sees the readiness checks.</summary>
    public const string ProbeKey = "zt_deployment_tests_probe_key_00000000000000";

    /// <summary>nobody:nogroup on Debian.</summary>
    public const int NobodyId = 65534;

    private static readonly TimeSpan PublishTimeout = TimeSpan.FromMinutes(5);
    private static readonly TimeSpan StartTimeout = TimeSpan.FromMinutes(2);

    private readonly StringBuilder log = new();
    private DirectoryInfo? root;
    private Process? process;

    public int HttpPort { get; } = FreePort();

    public HttpClient Http { get; } = new() { Timeout = TimeSpan.FromSeconds(10) };

    public Process Process => process ?? throw new InvalidOperationException("The host has not started.");

    /// <summary>The host's output so far (for failure messages).</summary>
    public string Log
    {
        get
        {
            lock (log)
            {
                return log.ToString();
            }
        }
    }

    /// <summary>The configuration these tests were built in: the silo's build output beside them is of the same one.</summary>
    public static string Configuration =>
        typeof(PublishedHost).Assembly.GetCustomAttribute<AssemblyConfigurationAttribute>()?.Configuration
        ?? throw new InvalidOperationException("The test assembly does not say which configuration it was built in.");

    public async ValueTask InitializeAsync()
    {
        var cancellationToken = TestContext.Current.CancellationToken;
        root = Directory.CreateTempSubdirectory("zintrust-published-host-");
        var app = Path.Combine(root.FullName, "app");
        var home = Directory.CreateDirectory(Path.Combine(root.FullName, "home")).FullName;

        // The image runs `dotnet publish -c Release` from source; here the existing build output is published
        // (--no-build), which takes seconds and yields the same files for the configuration the tests were built in.
        var publish = await RunAsync(
            "dotnet",
            ["publish", SiloProject.FullPath, "--no-build", "-c", Configuration, "-o", app, "--nologo", "-nodeReuse:false"],
            PublishTimeout,
            cancellationToken);
        Assert.True(publish.ExitCode == 0, $"dotnet publish failed ({publish.ExitCode}):\n{publish.Output}");
        var dll = Path.Combine(app, SiloProject.AssemblyName + ".dll");
        Assert.True(File.Exists(dll), $"the publish output has no {Path.GetFileName(dll)}:\n{publish.Output}");

        // Readable (not writable) by the user the host runs as, as /app in the image; HOME its own and writable.
        MakeWorldReadable(root);
        if (Environment.IsPrivilegedProcess)
        {
            var chown = await RunAsync("chown", [$"{NobodyId}:{NobodyId}", home], TimeSpan.FromSeconds(30), cancellationToken);
            Assert.True(chown.ExitCode == 0, $"chown {home} failed: {chown.Output}");
        }

        var start = Environment.IsPrivilegedProcess
            ? new ProcessStartInfo("setpriv", [$"--reuid={NobodyId}", $"--regid={NobodyId}", "--clear-groups", "dotnet", dll])
            : new ProcessStartInfo("dotnet", [dll]);
        start.WorkingDirectory = app;   // the content root (appsettings.json), as WORKDIR /app
        start.RedirectStandardOutput = true;
        start.RedirectStandardError = true;
        start.UseShellExecute = false;
        Configure(start.Environment, home);

        process = Process.Start(start)!;
        process.OutputDataReceived += (_, e) => Append(e.Data);
        process.ErrorDataReceived += (_, e) => Append(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();

        var deadline = DateTime.UtcNow + StartTimeout;
        while (true)
        {
            Assert.False(process.HasExited, $"the published host exited with {(process.HasExited ? process.ExitCode : 0)}:\n{Log}");
            try
            {
                using var live = await Http.GetAsync(Url("/health/live"), cancellationToken);
                if (live.StatusCode == HttpStatusCode.OK)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
                // Not listening yet.
            }
            catch (TaskCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                // The request timed out: a loaded machine, try again until the deadline.
            }

            Assert.True(DateTime.UtcNow < deadline, $"the published host did not answer /health/live on port {HttpPort} within {StartTimeout}:\n{Log}");
            await Task.Delay(100, cancellationToken);
        }
    }

    public Uri Url(string path) => new($"http://127.0.0.1:{HttpPort}{path}");

    /// <summary>The real uid of the running host process (/proc/PID/status).</summary>
    public int ProcessUid()
    {
        var line = File.ReadLines($"/proc/{Process.Id}/status").First(l => l.StartsWith("Uid:", StringComparison.Ordinal));
        return int.Parse(line.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture);
    }

    /// <summary>The running host's command line (/proc/PID/cmdline).</summary>
    public string[] ProcessCommandLine() => File.ReadAllText($"/proc/{Process.Id}/cmdline").Split('\0', StringSplitOptions.RemoveEmptyEntries);

    public ValueTask DisposeAsync()
    {
        Http.Dispose();
        if (process is not null)
        {
            try
            {
                process.Kill(entireProcessTree: true);
                process.WaitForExit(10_000);
            }
            catch (InvalidOperationException)
            {
                // Already gone.
            }

            process.Dispose();
        }

        try
        {
            root?.Delete(recursive: true);
        }
        catch (IOException)
        {
            // Left in the temp folder; nothing depends on it.
        }

        return ValueTask.CompletedTask;
    }

    /// <summary>A port nobody listens on (the OS hands it out, then it is released).</summary>
    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>Runs a command to its end (bounded by <paramref name="timeout"/>); returns its exit code and output.</summary>
    public static async Task<(int ExitCode, string Output)> RunAsync(
        string fileName, IEnumerable<string> arguments, TimeSpan timeout, CancellationToken cancellationToken, IReadOnlyDictionary<string, string>? environment = null)
    {
        var start = new ProcessStartInfo(fileName, arguments)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.Environment["MSBUILDDISABLENODEREUSE"] = "1";   // dotnet publish leaves no build node behind
        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
        {
            start.Environment[name] = value;
        }

        using var child = Process.Start(start)!;
        var stdout = child.StandardOutput.ReadToEndAsync(cancellationToken);
        var stderr = child.StandardError.ReadToEndAsync(cancellationToken);
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(timeout);
        try
        {
            await child.WaitForExitAsync(deadline.Token);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            child.Kill(entireProcessTree: true);
            Assert.Fail($"{fileName} {string.Join(' ', arguments)} did not finish within {timeout}.");
        }

        return (child.ExitCode, await stdout + await stderr);
    }

    /// <summary>
    /// The container's environment: what the aspnet base image sets, then the Dockerfile's ENV, then what a deployment
    /// adds (an API key ring: Production refuses to start without one), then what this machine needs (free ports,
    /// loopback only). Nothing is inherited from the test process but the way to find dotnet.
    /// </summary>
    private void Configure(IDictionary<string, string?> env, string home)
    {
        var keep = env.Where(e => e.Key is "PATH" || e.Key.StartsWith("DOTNET_ROOT", StringComparison.Ordinal)).ToArray();
        env.Clear();
        foreach (var (name, value) in keep)
        {
            env[name] = value;
        }

        env["ASPNETCORE_HTTP_PORTS"] = "8080";          // set by mcr.microsoft.com/dotnet/aspnet; the host binds PORT instead
        env["DOTNET_RUNNING_IN_CONTAINER"] = "true";
        foreach (var (name, value) in Dockerfile.Load().Runtime.Environment)
        {
            env[name] = value;
        }

        env["ASPNETCORE_ENVIRONMENT"] = "Production";
        env["WORKER_API_KEYS"] = $"{SiloProcesses.ApiKeysSetting};probe:viewer:sha256:{Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(ProbeKey)))}";
        env["HOME"] = home;
        env["WORKER_API_HOST"] = "127.0.0.1";            // the image listens on 0.0.0.0; a test machine stays on loopback
        env["PORT"] = HttpPort.ToString(CultureInfo.InvariantCulture);
        env["SILO_PORT"] = FreePort().ToString(CultureInfo.InvariantCulture);
        env["GATEWAY_PORT"] = FreePort().ToString(CultureInfo.InvariantCulture);
    }

    private static void MakeWorldReadable(DirectoryInfo folder)
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }

        const UnixFileMode Read = UnixFileMode.UserRead | UnixFileMode.GroupRead | UnixFileMode.OtherRead;
        const UnixFileMode Enter = UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute;
        folder.UnixFileMode |= Read | Enter;
        foreach (var entry in folder.EnumerateFileSystemInfos("*", SearchOption.AllDirectories))
        {
            entry.UnixFileMode |= entry is DirectoryInfo ? Read | Enter : Read;
        }
    }

    private void Append(string? line)
    {
        if (line is not null)
        {
            lock (log)
            {
                log.AppendLine(line);
            }
        }
    }
}
