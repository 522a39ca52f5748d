using System.ComponentModel;
using System.Text.Json;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using ZinTrust.Workers.Abstractions;

namespace ZinTrust.Workers.Server;

/// <summary>/api/queues/{queue}: jobs, pause/resume, dead letters.</summary>
public static class QueuesApi
{
    public const string IdempotencyHeader = "Idempotency-Key";

    public static RouteGroupBuilder MapQueuesApi(this IEndpointRouteBuilder app)
    {
        ArgumentNullException.ThrowIfNull(app);
        var all = app.MapGroup("/api/queues").WithTags("Queues").RequireAuthorization(ApiSecurity.Viewer)
            .ProducesProblem(StatusCodes.Status401Unauthorized).ProducesProblem(StatusCodes.Status403Forbidden).ProducesProblem(StatusCodes.Status503ServiceUnavailable);
        all.MapGet("/", ListQueues).WithSummary("The queues of the registered workers, with their depth by state");
        all.MapPost("/prune", PruneAll).WithSummary("Delete completed and cancelled jobs older than ?hours= (default 168) in every queue of a registered worker; dead letters too with ?deadLetters=true (admin)")
            .ProducesProblem(StatusCodes.Status400BadRequest).RequireAuthorization(ApiSecurity.Operator);

        // Enqueueing may create a queue; every other route acts on an existing one (QUEUE_NOT_FOUND otherwise), so made-up names
        // never activate a queue or leave anything behind.
        app.MapGroup("/api/queues/{queue}").WithTags("Queues").RequireAuthorization(ApiSecurity.Operator)
            .MapPost("/jobs", Enqueue)
            .WithSummary("Enqueue one job, an array of jobs, or {\"jobs\": [...]}; header Idempotency-Key for a single job")
            .Accepts<EnqueueJobRequest>("application/json").Produces<EnqueueResponse>(StatusCodes.Status201Created).Produces<EnqueueBatchResponse>(StatusCodes.Status201Created)
            .ProducesProblem(StatusCodes.Status400BadRequest).ProducesProblem(StatusCodes.Status401Unauthorized).ProducesProblem(StatusCodes.Status403Forbidden)
            .ProducesProblem(StatusCodes.Status409Conflict).ProducesProblem(StatusCodes.Status429TooManyRequests).ProducesProblem(StatusCodes.Status503ServiceUnavailable);

        var group = app.MapGroup("/api/queues/{queue}").WithTags("Queues").ProducesProblem(StatusCodes.Status400BadRequest).ProducesProblem(StatusCodes.Status503ServiceUnavailable)
            .RequireAuthorization(ApiSecurity.Viewer).ProducesProblem(StatusCodes.Status401Unauthorized).ProducesProblem(StatusCodes.Status403Forbidden)
            .ProducesProblem(StatusCodes.Status404NotFound).AddEndpointFilter(ExistingQueue);
        group.MapGet("/", Stats).WithSummary("Queue depth by state");
        group.MapGet("/jobs", ListJobs).WithSummary("List jobs in one state (?state=waiting|delayed|active|completed|failed|cancelled)");
        group.MapGet("/jobs/{id}", GetJob).WithSummary("Job status").ProducesProblem(StatusCodes.Status404NotFound);
        group.MapGet("/jobs/{id}/logs", GetJobLogs).WithSummary("The lines a job's processor logged, oldest first").ProducesProblem(StatusCodes.Status404NotFound);
        group.MapPost("/jobs/{id}/cancel", Cancel).WithSummary("Cancel a waiting or running job").ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status409Conflict).RequireAuthorization(ApiSecurity.Operator);
        group.MapPost("/jobs/{id}/retry", RetryOne).WithSummary("Retry a dead-lettered job").ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status409Conflict).RequireAuthorization(ApiSecurity.Operator);
        group.MapPost("/pause", async Task<Ok<MessageResponse>> (string queue, IGrainFactory grains) => { await Queues(queue, grains).PauseAsync(queue); return Ok($"Queue '{queue}' paused."); }).WithSummary("Pause a queue (nothing is leased)").RequireAuthorization(ApiSecurity.Operator);
        group.MapPost("/resume", async Task<Ok<MessageResponse>> (string queue, IGrainFactory grains) => { await Queues(queue, grains).ResumeAsync(queue); return Ok($"Queue '{queue}' resumed."); }).WithSummary("Resume a queue").RequireAuthorization(ApiSecurity.Operator);
        group.MapPost("/prune", Prune).WithSummary("Delete completed and cancelled jobs older than ?hours= (default 168); dead letters too with ?deadLetters=true (admin)")
            .RequireAuthorization(ApiSecurity.Operator);
        group.MapGet("/dead-letters", DeadLetters).WithSummary("List dead-lettered jobs");
        group.MapPost("/dead-letters/retry", RetryDeadLetters).WithSummary("Retry dead-lettered jobs ({\"ids\": [...]} or all)").RequireAuthorization(ApiSecurity.Operator);
        group.MapDelete("/dead-letters", DeleteDeadLetters).WithSummary("Delete dead-lettered jobs ({\"ids\": [...]} or all)").RequireAuthorization(ApiSecurity.Admin);
        return group;
    }

    /// <summary>A valid name of a queue that exists (a worker uses it or it holds jobs), checked before the handler runs, after the
    /// route's other values are checked (bad input is a 400 before anything is looked up).</summary>
    private static async ValueTask<object?> ExistingQueue(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var http = context.HttpContext;
        var queue = (string)http.Request.RouteValues["queue"]!;
        if (WorkerValidation.CheckQueueName(queue) is { } error)
        {
            throw error.ToException();
        }

        if (http.Request.RouteValues["id"] is string id)
        {
            JobId(id);
        }

        await http.RequestServices.GetRequiredService<QueueDirectory>().EnsureExistsAsync(queue, http.RequestAborted);
        return await next(context);
    }

    private static async Task<Ok<QueueStatsResponse>> Stats(string queue, IGrainFactory grains) =>
        TypedResults.Ok(ApiMapping.ToResponse(await Queues(queue, grains).GetStatsAsync(queue)));

    private static async Task<IResult> Enqueue(string queue, HttpRequest request, IGrainFactory grains, EnqueueBatchers batchers, ILocalSiloDetails silo, CancellationToken cancellationToken)
    {
        var target = Queues(queue, grains);
        string? key = request.Headers[IdempotencyHeader].FirstOrDefault();
        var body = await ApiJson.ReadBodyAsync(request, required: true, cancellationToken);
        var root = ApiJson.Parse(body);
        List<EnqueueJobRequest>? batch = root.ValueKind switch
        {
            JsonValueKind.Array => ApiJson.Deserialize<List<EnqueueJobRequest>>(body),
            JsonValueKind.Object when root.TryGetProperty("jobs", out _) => ApiJson.Deserialize<EnqueueBatchRequest>(body).Jobs,
            JsonValueKind.Object => null,
            _ => throw ApiErrors.BadRequest(WorkersErrorCodes.InvalidBody, "The body must be a job object, an array of jobs, or {\"jobs\": [...]}."),
        };

        if (batch is null)
        {
            var one = ApiMapping.ToEnqueue(ApiJson.Deserialize<EnqueueJobRequest>(body), key);
            var ack = await WorkersActivity.SendAsync(queue, 1, silo.SiloAddress.ToString(), span => target.EnqueueAsync(queue, one.WithContext(span), batchers));
            return ApiJson.CreatedOrOk(ack.Created, ApiMapping.ToResponse(ack, queue), JobLocation(queue, ack.JobId));
        }

        if (key is not null)
        {
            throw ApiErrors.BadRequest(WorkersErrorCodes.InvalidIdempotencyKey, "The Idempotency-Key header applies to single jobs; give each job of a batch its own idempotencyKey.");
        }

        if (batch.Count is 0 or > 10_000)
        {
            throw ApiErrors.BadRequest(WorkersErrorCodes.InvalidBatch, "A batch holds 1 to 10000 jobs.");
        }

        var requests = new EnqueueRequest[batch.Count];
        for (int i = 0; i < batch.Count; i++)
        {
            requests[i] = ApiMapping.ToEnqueueAt(batch[i], $"Job {i}");
        }

        var acks = await WorkersActivity.SendAsync(
            queue,
            requests.Length,
            silo.SiloAddress.ToString(),
            span => target.EnqueueBatchAsync(queue, span is null ? requests : [.. requests.Select(r => r.WithContext(span))]));
        // Many resources: Location names the queue's waiting jobs, where they are listed.
        return ApiJson.Created(
            new EnqueueBatchResponse(acks.Count, acks.Select(a => ApiMapping.ToResponse(a, queue)).ToArray()),
            $"/api/queues/{Uri.EscapeDataString(queue)}/jobs");
    }

    private static async Task<Ok<JobPageResponse>> ListJobs(
        string queue,
        IGrainFactory grains,
        [FromQuery, Description("waiting (default) | delayed | active | completed | failed | cancelled | waiting-children")] string? state,
        [FromQuery, Description("Jobs to skip, 0..1000000 (default 0)")] string? offset,
        [FromQuery, Description("Jobs to return, 1..200 (default 50)")] string? limit)
    {
        var raw = state ?? "waiting";
        if (!Enum.TryParse<JobState>(raw.Replace("-", "", StringComparison.Ordinal), ignoreCase: true, out var wanted) || !Enum.IsDefined(wanted) || int.TryParse(raw, out _))
        {
            throw ApiErrors.BadRequest(ApiErrors.InvalidQuery, "state must be one of waiting, delayed, active, completed, failed, cancelled, waiting-children.");
        }

        return TypedResults.Ok(await Page(queue, grains, wanted, offset, limit));
    }

    /// <summary>Where a job is read: <c>GET /api/queues/{queue}/jobs/{id}</c>.</summary>
    public static string JobLocation(string queue, string id) => $"/api/queues/{Uri.EscapeDataString(queue)}/jobs/{Uri.EscapeDataString(id)}";

    private static async Task<JobPageResponse> Page(string queue, IGrainFactory grains, JobState state, string? offsetText, string? limitText)
    {
        int offset = WorkersApi.Number(offsetText, "offset", 0, 0, 1_000_000);
        int limit = WorkersApi.Number(limitText, "limit", 50, 1, WorkersApi.MaxPageSize);
        var jobs = await Queues(queue, grains).ListJobsAsync(queue, state, offset, limit);
        return new JobPageResponse(queue, ApiMapping.Name(state), offset, limit, [.. jobs.Select(ApiMapping.ToResponse)]);
    }

    private static async Task<Ok<JobResponse>> GetJob(string queue, string id, IGrainFactory grains)
    {
        var job = await Job(queue, id, grains).GetJob(id) ?? throw JobNotFound(queue, id);
        return TypedResults.Ok(ApiMapping.ToResponse(job));
    }

    private static async Task<Ok<JobLogsResponse>> GetJobLogs(string queue, string id, IGrainFactory grains)
    {
        var job = await Job(queue, id, grains).GetJob(id) ?? throw JobNotFound(queue, id);
        return TypedResults.Ok(ApiMapping.ToLogsResponse(job));
    }

    private static async Task<Ok<MessageResponse>> Cancel(string queue, string id, IGrainFactory grains)
    {
        return await Job(queue, id, grains).Cancel(id) switch
        {
            CancelResult.Cancelled => Ok($"Job '{id}' cancelled."),
            CancelResult.NotFound => throw JobNotFound(queue, id),
            _ => throw new ApiException(StatusCodes.Status409Conflict, ApiErrors.JobAlreadyFinished, $"Job '{id}' already finished; nothing to cancel."),
        };
    }

    private static async Task<Ok<MessageResponse>> RetryOne(string queue, string id, IGrainFactory grains)
    {
        var target = Job(queue, id, grains);
        var job = await target.GetJob(id) ?? throw JobNotFound(queue, id);
        if (job.State != JobState.Failed || await target.RetryDeadLetters([id]) == 0)
        {
            throw new ApiException(StatusCodes.Status409Conflict, ApiErrors.JobNotDeadLettered, $"Job '{id}' is {ApiMapping.Name(job.State)}; only dead-lettered (failed) jobs can be retried.");
        }

        return Ok($"Job '{id}' is waiting again.");
    }

    private static async Task<Ok<QueueListResponse>> ListQueues(IGrainFactory grains, QueueDirectory directory)
    {
        var stats = await Task.WhenAll((await directory.WorkerQueuesAsync()).Select(QueuePartitions.Of(grains).GetStatsAsync));
        return TypedResults.Ok(new QueueListResponse(true, [.. stats.Select(ApiMapping.ToResponse)]));
    }

    /// <summary>Deletes completed and cancelled jobs older than ?hours= (default 168, a week) in every worker's queue; dead letters too
    /// with ?deadLetters=true, which takes the admin role.</summary>
    private static async Task<Ok<PruneAllResponse>> PruneAll(
        HttpContext http,
        IGrainFactory grains,
        QueueDirectory directory,
        [FromQuery(Name = "hours"), Description(PruneHoursText)] string? hoursText,
        [FromQuery(Name = "deadLetters"), Description(PruneDeadLettersText)] string? deadLettersText)
    {
        int hours = WorkersApi.Number(hoursText, "hours", 168, 1, 24 * 365 * 10);
        bool deadLetters = PruneDeadLetters(http, deadLettersText);
        var queues = await directory.WorkerQueuesAsync();
        var counts = await Task.WhenAll(queues.Select(q => QueuePartitions.Of(grains).PruneAsync(q, TimeSpan.FromHours(hours), deadLetters)));
        return TypedResults.Ok(new PruneAllResponse(true, counts.Sum(), hours, deadLetters, [.. queues.Zip(counts, (queue, pruned) => new QueuePrunedResponse(queue, pruned))]));
    }

    private static async Task<Ok<PruneResponse>> Prune(
        string queue,
        HttpContext http,
        IGrainFactory grains,
        [FromQuery(Name = "hours"), Description(PruneHoursText)] string? hoursText,
        [FromQuery(Name = "deadLetters"), Description(PruneDeadLettersText)] string? deadLettersText)
    {
        int hours = WorkersApi.Number(hoursText, "hours", 168, 1, 24 * 365 * 10);
        bool deadLetters = PruneDeadLetters(http, deadLettersText);
        int pruned = await Queues(queue, grains).PruneAsync(queue, TimeSpan.FromHours(hours), deadLetters);
        return TypedResults.Ok(new PruneResponse(true, pruned, hours, deadLetters));
    }

    private const string PruneHoursText = "Delete what finished more than this many hours ago, 1..87600 (default 168)";
    private const string PruneDeadLettersText = "true: dead letters too (admin); default false";

    /// <summary>?deadLetters=true|false (default false); deleting dead letters is for admins, as DELETE /dead-letters is.</summary>
    private static bool PruneDeadLetters(HttpContext http, string? raw)
    {
        if (raw is null)
        {
            return false;
        }

        if (!bool.TryParse(raw, out var deadLetters))
        {
            throw ApiErrors.BadRequest(ApiErrors.InvalidQuery, "deadLetters must be true or false.");
        }

        if (deadLetters && !http.User.IsInRole(ApiSecurity.Admin))
        {
            throw new ApiException(StatusCodes.Status403Forbidden, ApiErrors.Forbidden, "Deleting dead letters takes the admin role; prune without deadLetters=true removes completed and cancelled jobs.");
        }

        return deadLetters;
    }

    private static async Task<Ok<JobPageResponse>> DeadLetters(
        string queue,
        IGrainFactory grains,
        [FromQuery, Description("Dead letters to skip, 0..1000000 (default 0)")] string? offset,
        [FromQuery, Description("Dead letters to return, 1..200 (default 50)")] string? limit) =>
        TypedResults.Ok(await Page(queue, grains, JobState.Failed, offset, limit));

    private static async Task<Ok<RetriedResponse>> RetryDeadLetters(string queue, HttpRequest request, IGrainFactory grains, CancellationToken cancellationToken)
    {
        var ids = await Ids(request, cancellationToken);
        return TypedResults.Ok(new RetriedResponse(true, await Queues(queue, grains).RetryDeadLettersAsync(queue, ids)));
    }

    private static async Task<Ok<DeletedResponse>> DeleteDeadLetters(string queue, HttpRequest request, IGrainFactory grains, CancellationToken cancellationToken)
    {
        var ids = await Ids(request, cancellationToken);
        return TypedResults.Ok(new DeletedResponse(true, await Queues(queue, grains).DeleteDeadLettersAsync(queue, ids)));
    }

    private static async Task<IReadOnlyList<string>?> Ids(HttpRequest request, CancellationToken cancellationToken)
    {
        var body = await ApiJson.ReadBodyAsync(request, required: false, cancellationToken);
        if (body.Length == 0)
        {
            return null;
        }

        var ids = ApiJson.Deserialize<DeadLetterRequest>(body).Ids;
        if (ids is not null)
        {
            foreach (var id in ids)
            {
                JobId(id);
            }
        }

        return ids;
    }

    private static Ok<MessageResponse> Ok(string message) => TypedResults.Ok(new MessageResponse(true, message));

    /// <summary>The router of a valid queue name: it sends each call to the queue's partitions (one, unless the queue has more).</summary>
    private static QueuePartitions Queues(string queue, IGrainFactory grains)
    {
        if (WorkerValidation.CheckQueueName(queue) is { } error)
        {
            throw error.ToException();
        }

        return QueuePartitions.Of(grains);
    }

    /// <summary>The partition holding a job: its id names it.</summary>
    private static IQueueGrain Job(string queue, string id, IGrainFactory grains) => Queues(queue, grains).ForJob(queue, JobId(id));

    private static string JobId(string id) => WorkerValidation.IsValidJobId(id)
        ? id
        : throw ApiErrors.BadRequest(WorkersErrorCodes.InvalidJobId, "Job ids are letters, digits, '-' and '_' (at most 100).");

    private static WorkersException JobNotFound(string queue, string id) =>
        new(WorkersErrorCodes.JobNotFound, $"Job '{id}' was not found in queue '{queue}'.");
}
