using ZinTrust.Workers.Server;
using ZinTrust.Workers.ServerSample;

// Your processors, with the REST API (keys and roles), the console, the dashboard, OpenAPI and metrics, configured by the
// documented variables (docs/configuration.md): `dotnet run --project samples/ZinTrust.Workers.ServerSample`.
var builder = WebApplication.CreateBuilder(args);
builder.AddZinTrustWorkersServer(workers => workers.AddProcessor<Invoice>("render-invoice", InvoiceRenderer.RenderAsync));
var app = builder.Build();
app.MapZinTrustWorkers();
app.Run();
