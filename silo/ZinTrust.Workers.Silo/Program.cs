using Scalar.AspNetCore;
using ZinTrust.Workers.Silo;

if (args.Length > 0 && args[0] == "migrate")
{
    // The migration command shares the host's configuration (appsettings, environment) but not its arguments.
    var configuration = WebApplication.CreateBuilder().Configuration;
    return await MigrateCommand.RunAsync(args[1..], configuration, Console.Out, Console.Error, CancellationToken.None);
}

var builder = WebApplication.CreateBuilder(args);
var settings = HostSettingsLoader.Load(builder.Configuration, out var errors);
if (errors.Count > 0)
{
    await Console.Error.WriteLineAsync("ZinTrust workers cannot start; fix these settings:");
    foreach (var error in errors)
    {
        await Console.Error.WriteLineAsync("  - " + error);
    }

    return 2;
}

builder.AddZinTrustWorkersHost(settings);
var app = builder.Build();
app.UseWorkersErrorHandling();
app.MapHealthApi();
app.MapWorkersApi();
app.MapQueuesApi();
app.MapOpenApi();                           // /openapi/v1.json
app.MapScalarApiReference("/docs");         // a browsable UI over it
if (settings.PrometheusEnabled)
{
    app.MapPrometheusScrapingEndpoint();
}

app.LogStartupBanner(settings);
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

/// <summary>The host's entry point (public for WebApplicationFactory).</summary>
public partial class Program;
