using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace ZinTrust.Workers.Server;

/// <summary>
/// The OpenAPI document (<c>/openapi/v1.json</c>): its title, the API-key security schemes (<c>X-Api-Key</c> or a bearer
/// token carrying the same key), and on every operation that needs a key the requirement with the role it needs, so a
/// generated client sends the key and a reader sees who may call what.
/// </summary>
public static class OpenApiDocumentation
{
    public const string ApiKeyScheme = "ApiKey";
    public const string BearerScheme = "Bearer";

    public static IServiceCollection AddWorkersOpenApi(this IServiceCollection services) => services.AddOpenApi(o =>
    {
        o.AddDocumentTransformer((document, _, _) =>
        {
            document.Info.Title = "ZinTrust workers";
            document.Info.Description = "Workers, queues and jobs. Errors are application/problem+json (RFC 9457) with a stable `code` and the request's `traceId`.";
            document.Components ??= new OpenApiComponents();
            document.Components.SecuritySchemes ??= new Dictionary<string, IOpenApiSecurityScheme>(StringComparer.Ordinal);
            document.Components.SecuritySchemes[ApiKeyScheme] = new OpenApiSecurityScheme
            {
                Type = SecuritySchemeType.ApiKey,
                In = ParameterLocation.Header,
                Name = ApiKeyAuthenticationHandler.HeaderName,
                Description = "An API key (WORKER_API_KEYS) with the role the operation names.",
            };
            document.Components.SecuritySchemes[BearerScheme] = new OpenApiSecurityScheme
            {
                Type = SecuritySchemeType.Http,
                Scheme = "bearer",
                Description = "The same API key as `Authorization: Bearer KEY`.",
            };
            return Task.CompletedTask;
        });
        o.AddOperationTransformer(DeclareAlternativeAnswers);
        o.AddOperationTransformer((operation, context, _) =>
        {
            var metadata = context.Description.ActionDescriptor.EndpointMetadata;
            if (metadata.OfType<IAllowAnonymous>().Any() || metadata.OfType<IAuthorizeData>().LastOrDefault() is not { } authorize)
            {
                return Task.CompletedTask;
            }

            operation.Security ??= [];
            operation.Security.Add(new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference(ApiKeyScheme, context.Document)] = [] });
            operation.Security.Add(new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference(BearerScheme, context.Document)] = [] });
            if (authorize.Policy is { Length: > 0 } role)
            {
                // The innermost RequireAuthorization (the route's own) is the role it needs.
                operation.Description = $"{operation.Description}{(string.IsNullOrEmpty(operation.Description) ? "" : "\n\n")}Role: {role}.";
                operation.Extensions ??= new Dictionary<string, IOpenApiExtension>(StringComparer.Ordinal);
                operation.Extensions["x-zintrust-role"] = new JsonNodeExtension(System.Text.Json.Nodes.JsonValue.Create(role));
            }

            return Task.CompletedTask;
        });
    });

    /// <summary>
    /// A route that answers 200 in more than one shape (a query parameter chooses: <c>?format=original</c>, <c>?period=</c>)
    /// declares each; the generator would keep only the last, so the answer's schema becomes <c>oneOf</c> them.
    /// </summary>
    private static async Task DeclareAlternativeAnswers(OpenApiOperation operation, OpenApiOperationTransformerContext context, CancellationToken cancellationToken)
    {
        var shapes = context.Description.ActionDescriptor.EndpointMetadata.OfType<Microsoft.AspNetCore.Http.Metadata.IProducesResponseTypeMetadata>()
            .Where(m => m.StatusCode == StatusCodes.Status200OK && m.Type is { } type && type != typeof(void))
            .Select(m => m.Type!)
            .Distinct()
            .ToList();
        if (shapes.Count < 2 || operation.Responses is null || !operation.Responses.TryGetValue("200", out var ok)
            || ok.Content is null || !ok.Content.TryGetValue("application/json", out var media))
        {
            return;
        }

        var alternatives = new List<IOpenApiSchema>();
        foreach (var shape in shapes)
        {
            alternatives.Add(await context.GetOrCreateSchemaAsync(shape, null, cancellationToken));
        }

        media.Schema = new OpenApiSchema { OneOf = alternatives };
    }
}
