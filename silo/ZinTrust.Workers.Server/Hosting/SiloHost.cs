using ZinTrust.Workers.Grains;

namespace ZinTrust.Workers.Server;

/// <summary>
/// The shipped host from its command line: <c>migrate</c>, <c>apikey</c>, <c>encryption-key</c>, or the silo with the REST facade. A host of one's own
/// processors runs the same way with <see cref="RunAsync"/>'s <c>workers</c>.
/// </summary>
public static class SiloHost
{
    /// <summary>Runs the command or the host to its end; returns the process exit code (2: bad settings, 3: start-up failed).</summary>
    public static async Task<int> RunAsync(string[] args, Action<WorkersBuilder>? workers = null)
    {
        ArgumentNullException.ThrowIfNull(args);
        if (args.Length > 0 && args[0] == "migrate")
        {
            // The migration command shares the host's configuration (appsettings, environment) but not its arguments.
            var configuration = WebApplication.CreateBuilder().Configuration;
            return await MigrateCommand.RunAsync(args[1..], configuration, Console.Out, Console.Error, CancellationToken.None);
        }

        if (args.Length > 0 && args[0] == "encryption-key")
        {
            var configuration = WebApplication.CreateBuilder().Configuration;
            return await EncryptionKeyCommand.RunAsync(args[1..], configuration, Console.Out, Console.Error, TimeProvider.System, CancellationToken.None);
        }

        if (args.Length > 0 && args[0] == "apikey")
        {
            return ApiSecurity.NewKeyCommand(args[1..], Console.Out, Console.Error);
        }

        // Settings are read and validated once, at start (a bad value stops the host): nothing reloads them, so no file
        // watcher either. By default it watches the content root, the working directory, recursively; started from the
        // repository, that tree holds Redis's append-only file and PostgreSQL's data, and every write woke it (issue 5).
        var builder = WebApplication.CreateBuilder([.. args, "--hostBuilder:reloadConfigOnChange=false"]);
        try
        {
            builder.AddZinTrustWorkersServer(workers);
        }
        catch (WorkersSettingsException invalid)
        {
            await Console.Error.WriteLineAsync(invalid.Message);
            return 2;
        }

        var app = builder.Build();
        app.MapZinTrustWorkers();
        try
        {
            await app.RunAsync();
            return 0;
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // Start-up failed (a backend unreachable, a port taken): say why in one block, without a stack trace.
            await Console.Error.WriteLineAsync("ZinTrust workers failed to start:");
            for (var e = ex; e is not null; e = e.InnerException)
            {
                await Console.Error.WriteLineAsync("  - " + e.Message);
            }

            return 3;
        }
    }
}
