using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using ZinTrust.Workers.Abstractions;
using ZinTrust.Workers.Client;
using ZinTrust.Workers.Sample;

// Connects to the embedded silo (`dotnet run --project silo/ZinTrust.Workers.Silo`) on GATEWAY_PORT (default 30000).
var builder = Host.CreateApplicationBuilder(args);
builder.Logging.SetMinimumLevel(LogLevel.Warning);
builder.AddZinTrustWorkersClient(o => o.GatewayPort = int.TryParse(Environment.GetEnvironmentVariable("GATEWAY_PORT"), out var port) ? port : 30000);
using var host = builder.Build();
await host.StartAsync();
var ct = host.Services.GetRequiredService<IHostApplicationLifetime>().ApplicationStopping;   // Ctrl+C

// A worker running the silo's built-in "echo" processor: created when missing, started (starting is idempotent).
var workers = host.Services.GetRequiredService<IWorkerManager>();
await workers.RegisterAsync(new WorkerDefinition { Name = "sample-echo", QueueName = "sample-greetings", Processor = "echo" }, ct);
await workers.StartAsync("sample-echo", ct);

// A typed queue: enqueue (retried on transient errors under one idempotency key), then await the result.
var greetings = host.Services.GetRequiredService<IJobQueueFactory>().Get<Greeting>("sample-greetings");
var ack = await greetings.EnqueueAsync(new Greeting("ada@example.com", "hello from the sample"), new JobEnqueueOptions { Priority = JobPriority.High }, ct);
Console.WriteLine($"enqueued job {ack.JobId}");
try
{
    var echoed = await greetings.WaitForResultAsync<Greeting>(ack.JobId, TimeSpan.FromSeconds(30), ct);
    Console.WriteLine($"result: {echoed}");
}
catch (JobFailedException failed)
{
    Console.WriteLine($"dead-lettered ({failed.FailureReason}): {failed.Error}");
}
catch (TimeoutException)
{
    Console.WriteLine("no result within 30 s; the job keeps running");
}

await host.StopAsync(CancellationToken.None);
