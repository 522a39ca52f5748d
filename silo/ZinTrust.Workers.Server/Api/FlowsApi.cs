using ZinTrust.Workers.Abstractions;

namespace ZinTrust.Workers.Server;

/// <summary>POST /api/flows: a parent job and its children (possibly in other queues, possibly with children of their own).</summary>
public static class FlowsApi
{
    private const string IdempotencyHeader = "Idempotency-Key";

    public static RouteHandlerBuilder MapFlowsApi(this IEndpointRouteBuilder app) =>
        app.MapPost("/api/flows", Create).WithTags("Flows")
            .WithSummary("Create a flow: a job (queue, payload and the fields of an enqueued job, onChildFailure) and its children, each a flow; the job runs when they have settled. Header Idempotency-Key makes a retry return the same jobs")
            .Accepts<FlowRequest>("application/json").Produces<FlowResponse>(StatusCodes.Status201Created).Produces<FlowResponse>()
            .ProducesProblem(StatusCodes.Status400BadRequest).ProducesProblem(StatusCodes.Status401Unauthorized).ProducesProblem(StatusCodes.Status403Forbidden)
            .ProducesProblem(StatusCodes.Status409Conflict).ProducesProblem(StatusCodes.Status429TooManyRequests).ProducesProblem(StatusCodes.Status503ServiceUnavailable)
            .RequireAuthorization(ApiSecurity.Operator);

    private static async Task<IResult> Create(HttpRequest request, IGrainFactory grains, CancellationToken cancellationToken)
    {
        var body = await ApiJson.ReadBodyAsync(request, required: true, cancellationToken);
        var flow = ApiMapping.ToFlow(ApiJson.Deserialize<FlowRequest>(body));
        string? header = request.Headers[IdempotencyHeader].FirstOrDefault();
        if (header is not null && flow.Job.IdempotencyKey is not null && header != flow.Job.IdempotencyKey)
        {
            throw ApiErrors.BadRequest(WorkersErrorCodes.InvalidIdempotencyKey, "The Idempotency-Key header and idempotencyKey field differ.");
        }

        // Without a key of the caller's, one of our own: it covers the jobs of this call only (a retry by the caller makes a new flow).
        var created = await JobFlows.CreateAsync(grains, flow, header ?? flow.Job.IdempotencyKey ?? $"flow-{Guid.NewGuid():N}", cancellationToken);
        var answer = ApiMapping.ToResponse(created);
        return ApiJson.CreatedOrOk(created.Created, answer, QueuesApi.JobLocation(answer.Queue, answer.Id));
    }
}
