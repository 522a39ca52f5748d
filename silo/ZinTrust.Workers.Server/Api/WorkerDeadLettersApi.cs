using System.ComponentModel;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using ZinTrust.Workers.Abstractions;

namespace ZinTrust.Workers.Server;

/// <summary>
/// /api/workers/{name}/dead-letter-queue: the original's worker-scoped view of dead letters, over every queue the worker consumes
/// (the per-queue routes under /api/queues/{queue}/dead-letters act on one queue).
/// </summary>
public static class WorkerDeadLettersApi
{
    public static RouteGroupBuilder MapWorkerDeadLettersApi(this RouteGroupBuilder group)
    {
        ArgumentNullException.ThrowIfNull(group);
        group.MapGet("/{name}/dead-letter-queue/list", List)
            .WithSummary("The dead-lettered jobs of the worker's queues (or ?queue= one of them), queue by queue, oldest failure first; ?offset= ?limit= (1..200, default 50)")
            .Produces<WorkerDeadLetterListResponse>().ProducesProblem(StatusCodes.Status404NotFound);
        group.MapPost("/{name}/dead-letter-queue/retry", Retry)
            .WithSummary("Move the worker's dead-lettered jobs back to waiting with fresh attempts: {\"ids\": [...]} or all, in all its queues or {\"queue\"} one")
            .Produces<WorkerDeadLetterRetryResponse>().ProducesProblem(StatusCodes.Status404NotFound)
            .RequireAuthorization(ApiSecurity.Operator);
        return group;
    }

    private static async Task<JsonHttpResult<WorkerDeadLetterListResponse>> List(
        string name,
        [FromQuery, Description("One of the worker's queues (default: all of them)")] string? queue,
        [FromQuery, Description("Dead letters to skip, 0..1000000 (default 0)")] string? offset,
        [FromQuery, Description("Dead letters to return, 1..200 (default 50)")] string? limit,
        IGrainFactory grains)
    {
        int skip = WorkersApi.Number(offset, "offset", 0, 0, 1_000_000);
        int take = WorkersApi.Number(limit, "limit", 50, 1, WorkersApi.MaxPageSize);
        var info = await WorkersApi.Existing(name, grains);
        var queues = WorkerDeadLetters.Queues(info.Definition, queue, message => ApiErrors.BadRequest(ApiErrors.InvalidQuery, message));
        var (counts, jobs) = await WorkerDeadLetters.PageAsync(grains, queues, skip, take);
        return TypedResults.Json(
            new WorkerDeadLetterListResponse(
                true,
                name,
                counts.Sum(c => c.Count),
                skip,
                take,
                [.. counts.Select(c => new WorkerDeadLetterQueueResponse(c.Queue, c.Count))],
                [.. jobs.Select(ApiMapping.ToResponse)]),
            ApiJson.Options);
    }

    /// <summary>The body is optional (the original's call has none), so the route declares no <c>Accepts</c>: a declared body
    /// makes a request without a content type a 415, as for /api/queues/{queue}/dead-letters/retry.</summary>
    private static async Task<JsonHttpResult<WorkerDeadLetterRetryResponse>> Retry(string name, HttpRequest request, IGrainFactory grains, CancellationToken cancellationToken)
    {
        var body = await ApiJson.ReadBodyAsync(request, required: false, cancellationToken);
        var retry = body.Length == 0 ? new WorkerDeadLetterRetryRequest() : ApiJson.Deserialize<WorkerDeadLetterRetryRequest>(body);
        if (retry.Ids is { } ids)
        {
            if (ids.Count > WorkerDeadLetters.MaxIds)
            {
                throw ApiErrors.BadRequest(WorkersErrorCodes.InvalidBody, $"ids names at most {WorkerDeadLetters.MaxIds} jobs; leave it out to retry them all.");
            }

            if (ids.Any(id => !WorkerValidation.IsValidJobId(id)))
            {
                throw ApiErrors.BadRequest(WorkersErrorCodes.InvalidJobId, "Job ids are letters, digits, '-' and '_' (at most 100).");
            }
        }

        var info = await WorkersApi.Existing(name, grains);
        var queues = WorkerDeadLetters.Queues(info.Definition, retry.Queue, message => ApiErrors.BadRequest(WorkersErrorCodes.InvalidBody, message));
        var retried = await WorkerDeadLetters.RetryAsync(grains, queues, retry.Ids);
        return TypedResults.Json(
            new WorkerDeadLetterRetryResponse(true, name, retried.Sum(r => r.Retried), [.. retried.Select(r => new WorkerDeadLetterRetriedResponse(r.Queue, r.Retried))]),
            ApiJson.Options);
    }
}
