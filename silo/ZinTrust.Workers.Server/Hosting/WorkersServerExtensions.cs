using Orleans.Dashboard;
using Scalar.AspNetCore;
using ZinTrust.Workers.Grains;
using ZinTrust.Workers.WebConsole;

namespace ZinTrust.Workers.Server;

/// <summary>
/// Turns an ASP.NET Core application into a ZinTrust workers silo with the whole operator surface, configured from the
/// documented variables (docs/configuration.md):
/// <code>
/// var builder = WebApplication.CreateBuilder(args);
/// builder.AddZinTrustWorkersServer(w => w.AddProcessor&lt;MyPayload&gt;("my-processor", MyProcessor.RunAsync));
/// var app = builder.Build();
/// app.MapZinTrustWorkers();
/// app.Run();
/// </code>
/// Each part is also available alone: <see cref="AddZinTrustWorkersSilo"/> (the silo, on any host, no HTTP) and
/// <see cref="MapZinTrustWorkersApi"/> (the REST API without the console and the dashboard).
/// </summary>
public static class WorkersServerExtensions
{
    private static readonly object SettingsKey = typeof(HostSettings);

    /// <summary>The silo and the REST API's services (keys and roles, OpenAPI, the console's sessions).</summary>
    /// <exception cref="WorkersSettingsException">A setting is invalid, or (outside Development) no API key is configured.</exception>
    public static WebApplicationBuilder AddZinTrustWorkersServer(this WebApplicationBuilder builder, Action<WorkersBuilder>? workers = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var errors = new List<string>();
        var settings = Settings(builder, errors);
        var keys = ApiSecurity.ResolveKeys(settings, builder.Environment, errors);
        if (errors.Count > 0)
        {
            throw new WorkersSettingsException(errors);   // every problem at once, the settings' and the keys'
        }

        builder.AddZinTrustWorkersSilo(workers);
        WorkersHostExtensions.AddApi(builder, settings, keys);
        return builder;
    }

    /// <summary>
    /// The silo alone (logging, metrics and traces, Orleans with the job store, worker state and reminders the settings
    /// name, the built-in processors): a host that runs jobs and serves no HTTP. It joins the cluster like any other silo.
    /// </summary>
    /// <exception cref="WorkersSettingsException">A setting is invalid.</exception>
    public static IHostApplicationBuilder AddZinTrustWorkersSilo(this IHostApplicationBuilder builder, Action<WorkersBuilder>? workers = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var errors = new List<string>();
        var settings = Settings(builder, errors);
        if (errors.Count > 0)
        {
            throw new WorkersSettingsException(errors);
        }

        WorkersHostExtensions.AddSilo(builder, settings, workers);
        return builder;
    }

    /// <summary>The REST API, the web console (<c>/ui</c>) and the Orleans dashboard (<c>/dashboard</c>) as the settings
    /// enable them. Every endpoint of the application needs an API key unless it allows anonymous access itself.</summary>
    public static WebApplication MapZinTrustWorkers(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        var settings = app.Services.GetRequiredService<HostSettings>();
        app.MapZinTrustWorkersApi();
        if (settings.ConsoleEnabled)
        {
            app.MapZinTrustConsole(ApiSecurity.Viewer);     // /ui: the pages act through the API, with its roles
        }

        if (settings.DashboardEnabled)
        {
            app.MapOrleansDashboard(routePrefix: ApiSecurity.DashboardPath).RequireAuthorization(ApiSecurity.Viewer);
        }

        return app;
    }

    /// <summary>
    /// The REST API: error handling, authentication by API key (or console session) with roles, the write rate limit,
    /// health, every resource's routes, <c>/openapi/v1.json</c> and <c>/docs</c>, and Prometheus' <c>/metrics</c> when enabled.
    /// Needs <see cref="AddZinTrustWorkersServer"/>: the API reads the job store of the silo in this process.
    /// </summary>
    public static WebApplication MapZinTrustWorkersApi(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        var settings = app.Services.GetService<HostSettings>();
        var keys = app.Services.GetService<ApiKeyRing>();
        if (settings is null || keys is null)
        {
            throw new InvalidOperationException("MapZinTrustWorkersApi needs builder.AddZinTrustWorkersServer(…) first: the API serves the silo of this process.");
        }

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

        app.UseApiSecurityHeaders();
        app.UseZinTrustAuditTrail();   // outside the error handling and security: it sees every request's final status
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
        app.MapComplianceApi();
        app.MapDatacentersApi();
        app.MapSchedulesApi();
        app.MapFlowsApi();
        app.MapAuditApi();

        var openApi = app.MapOpenApi();                             // /openapi/v1.json
        var docs = app.MapScalarApiReference("/docs");              // a browsable UI over it
        if (settings.ApiDocsPublic ?? app.Environment.IsDevelopment())
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
        return app;
    }

    /// <summary>The settings, read from the builder's configuration and validated once per builder; their problems go to
    /// <paramref name="errors"/>.</summary>
    private static HostSettings Settings(IHostApplicationBuilder builder, List<string> errors)
    {
        if (builder.Properties.TryGetValue(SettingsKey, out var loaded))
        {
            return (HostSettings)loaded;
        }

        var settings = HostSettingsLoader.Load(builder.Configuration, out var found);
        var problems = found.ToList();
        ComplianceSettings.Check(settings, builder.Environment.IsDevelopment(), problems);
        errors.AddRange(problems);
        if (problems.Count == 0)
        {
            builder.Properties[SettingsKey] = settings;
        }

        return settings;
    }
}

/// <summary>Settings that stop start-up; <see cref="Errors"/> names each variable and what is wrong with it (never a secret).</summary>
public sealed class WorkersSettingsException : Exception
{
    public WorkersSettingsException(IReadOnlyList<string> errors)
        : base("ZinTrust workers cannot start; fix these settings:" + string.Concat((errors ?? []).Select(e => Environment.NewLine + "  - " + e)))
    {
        Errors = errors ?? [];
    }

    public IReadOnlyList<string> Errors { get; }
}
