using System.Net;
using System.Text.Json;
using ZinTrust.Workers.Testing;

namespace ZinTrust.Workers.Silo.Tests;

/// <summary><c>GET /api/events</c>: jobs moving, streamed live as Server-Sent Events, filtered, and resumed with Last-Event-ID.</summary>
[Collection(nameof(SiloCollection))]
public sealed class EventsRoutesTests(SiloFixture fixture)
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task Events_StreamEachJobsTransitionsLive_InOrder_AndResumeAfterTheLastIdSeen()
    {
        using var admin = fixture.Factory.Client(ApiRole.Admin);
        Assert.Equal(HttpStatusCode.Created, (await admin.PostJson("/api/workers", """{"name":"events-worker","queueName":"q-events","processor":"echo"}""")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await admin.Post("/api/workers/events-worker/start")).StatusCode);

        await using (var stream = await SseStream.OpenAsync(fixture.Factory.Client(ApiRole.Viewer), "/api/events?queue=q-events"))
        {
            var first = await Enqueue(admin, "q-events", 1);
            var seen = await stream.ReadUntilAsync(e => e.Data.GetProperty("jobId").GetString() == first && e.Event == "completed", Patience);
            Assert.Equal(["enqueued", "leased", "completed"], seen.Where(e => e.Data.GetProperty("jobId").GetString() == first).Select(e => e.Event));
            var completed = seen[^1];
            Assert.Equal(("q-events", "active", "completed", "events-worker", 1), (completed.Data.GetProperty("queue").GetString(), completed.Data.GetProperty("from").GetString(), completed.Data.GetProperty("to").GetString(), completed.Data.GetProperty("worker").GetString(), completed.Data.GetProperty("attempt").GetInt32()));
            Assert.DoesNotContain(seen, e => e.Data.GetProperty("queue").GetString() != "q-events");
            Assert.DoesNotContain("payload", string.Join('\n', seen.Select(e => e.Raw)), StringComparison.Ordinal);

            // Disconnected, the client misses two jobs; reconnecting with the last id it saw, it gets exactly what it missed.
            stream.Dispose();
            var missedJobs = new[] { await Enqueue(admin, "q-events", 2), await Enqueue(admin, "q-events", 3) };
            foreach (var id in missedJobs)
            {
                await Eventually.True(
                    async () => (await (await admin.Get($"/api/queues/q-events/jobs/{id}")).Json()).Str("state") == "completed",
                    "the jobs ran while nobody listened");
            }

            // The two may run side by side and complete in either order: read until both completions came.
            await using var resumed = await SseStream.OpenAsync(fixture.Factory.Client(ApiRole.Viewer), "/api/events?queue=q-events", lastEventId: completed.Id);
            var done = new HashSet<string>(StringComparer.Ordinal);
            var caughtUp = await resumed.ReadUntilAsync(
                e => e.Event == "completed" && missedJobs.Contains(e.Data.GetProperty("jobId").GetString()) && done.Add(e.Data.GetProperty("jobId").GetString()!) && done.Count == missedJobs.Length,
                Patience);
            Assert.DoesNotContain(caughtUp, e => e.Event == "missed");
            Assert.DoesNotContain(caughtUp, e => e.Data.GetProperty("jobId").GetString() == first);
            Assert.All(missedJobs, id => Assert.Equal(["enqueued", "leased", "completed"], caughtUp.Where(e => e.Data.GetProperty("jobId").GetString() == id).Select(e => e.Event)));
            Assert.Equal(caughtUp.Select(e => Number(e.Id)).Order(), caughtUp.Select(e => Number(e.Id)));
            Assert.True(Number(caughtUp[0].Id) > Number(completed.Id));
        }
    }

    [Fact]
    public async Task Events_FilterByType_AndSayWhenTheResumePointIsUnknown()
    {
        using var admin = fixture.Factory.Client(ApiRole.Admin);
        await using var stream = await SseStream.OpenAsync(fixture.Factory.Client(ApiRole.Viewer), "/api/events?queue=q-events-types&type=enqueued,cancelled", lastEventId: "ffffffff-12");
        var missed = await stream.ReadUntilAsync(e => e.Event == "missed", Patience);
        Assert.Single(missed);

        var id = await Enqueue(admin, "q-events-types", 1);
        Assert.Equal(HttpStatusCode.OK, (await admin.Post($"/api/queues/q-events-types/jobs/{id}/cancel")).StatusCode);

        var seen = await stream.ReadUntilAsync(e => e.Event == "cancelled", Patience);
        Assert.Equal(["enqueued", "cancelled"], seen.Select(e => e.Event));
        Assert.Equal("cancelled", seen[^1].Data.GetProperty("reason").GetString());
    }

    [Fact]
    public async Task Events_RefuseAnUnknownType_WithAStableCode()
    {
        using var viewer = fixture.Factory.Client(ApiRole.Viewer);
        var response = await viewer.Get("/api/events?type=exploded");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("INVALID_QUERY", (await response.Json()).Str("code"));
    }

    private static long Number(string id) => long.Parse(id[(id.LastIndexOf('-') + 1)..], System.Globalization.CultureInfo.InvariantCulture);

    private static async Task<string> Enqueue(HttpClient client, string queue, int n) =>
        (await (await client.PostJson($"/api/queues/{queue}/jobs", "{\"payload\":{\"n\":" + n.ToString(System.Globalization.CultureInfo.InvariantCulture) + "}}")).Json()).Str("id");

    /// <summary>A Server-Sent Events reader over one response.</summary>
    private sealed class SseStream : IAsyncDisposable, IDisposable
    {
        private readonly HttpClient client;
        private readonly HttpResponseMessage response;
        private readonly StreamReader reader;

        private SseStream(HttpClient client, HttpResponseMessage response, StreamReader reader)
        {
            this.client = client;
            this.response = response;
            this.reader = reader;
        }

        public static async Task<SseStream> OpenAsync(HttpClient client, string path, string? lastEventId = null)
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, path);
            if (lastEventId is not null)
            {
                request.Headers.Add("Last-Event-ID", lastEventId);
            }

            var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, TestContext.Current.CancellationToken);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal("text/event-stream", response.Content.Headers.ContentType?.MediaType);
            return new SseStream(client, response, new StreamReader(await response.Content.ReadAsStreamAsync(TestContext.Current.CancellationToken)));
        }

        /// <summary>Reads events until one matches <paramref name="last"/>; returns them all, that one last.</summary>
        public async Task<List<SseEvent>> ReadUntilAsync(Func<SseEvent, bool> last, TimeSpan timeout)
        {
            using var deadline = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
            deadline.CancelAfter(timeout);
            var events = new List<SseEvent>();
            string? id = null, name = null, data = null;
            var raw = new List<string>();
            while (true)
            {
                string? line;
                try
                {
                    line = await reader.ReadLineAsync(deadline.Token);
                }
                catch (OperationCanceledException) when (!TestContext.Current.CancellationToken.IsCancellationRequested)
                {
                    Assert.Fail($"No matching event within {timeout.TotalSeconds} s; read: {string.Join(" | ", events.Select(e => e.Event))}");
                    throw;
                }

                Assert.NotNull(line);
                if (line.Length == 0)
                {
                    if (name is not null)
                    {
                        using var doc = JsonDocument.Parse(data ?? "{}");
                        var e = new SseEvent(id ?? "", name, doc.RootElement.Clone(), string.Join('\n', raw));
                        events.Add(e);
                        if (last(e))
                        {
                            return events;
                        }
                    }

                    (id, name, data) = (null, null, null);
                    raw.Clear();
                    continue;
                }

                raw.Add(line);
                if (line.StartsWith("id: ", StringComparison.Ordinal))
                {
                    id = line[4..];
                }
                else if (line.StartsWith("event: ", StringComparison.Ordinal))
                {
                    name = line[7..];
                }
                else if (line.StartsWith("data: ", StringComparison.Ordinal))
                {
                    data = line[6..];
                }
            }
        }

        public void Dispose()
        {
            reader.Dispose();
            response.Dispose();
            client.Dispose();
        }

        public ValueTask DisposeAsync()
        {
            Dispose();
            return ValueTask.CompletedTask;
        }
    }

    private sealed record SseEvent(string Id, string Event, JsonElement Data, string Raw);
}
