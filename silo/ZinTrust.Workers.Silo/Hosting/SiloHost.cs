using Orleans.Dashboard;
using Scalar.AspNetCore;
using ZinTrust.Workers.WebConsole;
using ZinTrust.Workers.Grains;

namespace ZinTrust.Workers.Silo;

/// <summary>
/// The shipped host from its command line: <c>migrate</c>, <c>apikey</c>, or the silo with the REST facade. A host of one's own
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

        if (args.Length > 0 && args[0] == "apikey")
        {
            return ApiSecurity.NewKeyCommand(args[1..], Console.Out, Console.Error);
        }

        // Settings are read and validated once, at start (a bad value stops the host): nothing reloads them, so no file
        // watcher either. By default it watches the content root, the working directory, recursively; started from the
        // repository, that tree holds Redis's append-only file and PostgreSQL's data, and every write woke it (issue 5).
        var builder = WebApplication.CreateBuilder([.. args, "--hostBuilder:reloadConfigOnChange=false"]);
        var settings = HostSettingsLoader.Load(builder.Configuration, out var loadErrors);
        var errors = loadErrors.ToList();
        var keys = ApiSecurity.ResolveKeys(settings, builder.Environment, errors);
        if (errors.Count > 0)
        {
            await Console.Error.WriteLineAsync("ZinTrust workers cannot start; fix these settings:");
            foreach (var error in errors)
            {
                await Console.Error.WriteLineAsync("  - " + error);
            }

            return 2;
        }

        builder.AddZinTrustWorkersHost(settings, workers);
        builder.Services.AddZinTrustApiSecurity(settings, keys, builder.Environment);
        var app = builder.Build();
        if (settings.PrometheusPort is { } metricsPort)
        {
            // The scrape port serves /metrics and nothing else, without a key (bind it where only Prometheus reaches).
            app.MapWhen(http => http.Connection.LocalPort == metricsPort, scrape => scrape
                .UseOpenTelemetryPrometheusScrapingEndpoint()
                .Run(static http =>
                {
                    // Routing already matched the API's endpoint for this path; it is not served here.
                    http.Response.StatusCode = StatusCodes.Status404NotFound;
                    return Task.CompletedTask;
                }));
        }

        app.UseWorkersErrorHandling();
        app.UseZinTrustApiSecurity();
        app.MapHealthApi();
        app.MapWorkersApi();
        app.MapQueuesApi();
        app.MapEventsApi();
        app.MapDependenciesApi();
        app.MapPluginsApi();
        app.MapScalingApi();
        app.MapResourcesApi();
        app.MapDatacentersApi();
        app.MapSchedulesApi();
        app.MapFlowsApi();
        if (settings.ConsoleEnabled)
        {
            app.MapZinTrustConsole(ApiSecurity.Viewer);     // /ui: the pages act through the API above, with its roles
        }

        if (settings.DashboardEnabled)
        {
            app.MapOrleansDashboard(routePrefix: ApiSecurity.DashboardPath).RequireAuthorization(ApiSecurity.Viewer);
        }

        var docsPolicy = settings.ApiDocsPublic ?? app.Environment.IsDevelopment();
        var openApi = app.MapOpenApi();                             // /openapi/v1.json
        var docs = app.MapScalarApiReference("/docs");              // a browsable UI over it
        if (docsPolicy)
        {
            openApi.AllowAnonymous();
            docs.AllowAnonymous();
        }
        else
        {
            openApi.RequireAuthorization(ApiSecurity.Viewer);
            docs.RequireAuthorization(ApiSecurity.Viewer);
        }

        if (settings.PrometheusEnabled)
        {
            app.MapPrometheusScrapingEndpoint().RequireAuthorization(ApiSecurity.Viewer);
        }

        app.LogStartupBanner(settings, keys);
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
