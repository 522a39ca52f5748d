using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Http.HttpResults;
using ZinTrust.Workers.Abstractions;

namespace ZinTrust.Workers.Server;

/// <summary>How the facade reads and writes JSON: strict on the way in, camelCase on the way out.</summary>
public static class ApiJson
{
    public const int MaxBodyBytes = 2 * 1024 * 1024;
    public const int MaxDepth = 32;

    public static JsonSerializerOptions Options { get; } = Configure(new JsonSerializerOptions(JsonSerializerDefaults.Web));

    /// <summary>The facade's settings on a set of options: <see cref="Options"/>, and the framework's own (typed results and
    /// the OpenAPI schemas) so both write the same JSON.</summary>
    public static JsonSerializerOptions Configure(JsonSerializerOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.PropertyNamingPolicy = JsonNamingPolicy.CamelCase;
        options.PropertyNameCaseInsensitive = true;
        options.UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow;
        options.MaxDepth = MaxDepth;
        options.NumberHandling = JsonNumberHandling.Strict;
        options.DefaultIgnoreCondition = JsonIgnoreCondition.Never;

        // An API for programs, never embedded in HTML: keep quotes and apostrophes readable.
        options.Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping;
        return options;
    }

    /// <summary>A 201 naming where the new resource is read (<c>Location</c>).</summary>
    public static Created<T> Created<T>(T body, string location) => TypedResults.Created(location, body);

    /// <summary>201 when <paramref name="created"/> (with <c>Location</c>), else 200 (an idempotent repeat or a replacement).</summary>
    public static Results<Created<T>, Ok<T>> CreatedOrOk<T>(bool created, T body, string location) =>
        created ? TypedResults.Created(location, body) : TypedResults.Ok(body);

    /// <summary>Reads the whole body (bounded), or throws a 400/413 <see cref="ApiException"/>.</summary>
    public static async Task<byte[]> ReadBodyAsync(HttpRequest request, bool required, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (request.ContentLength > MaxBodyBytes)
        {
            throw new ApiException(StatusCodes.Status413PayloadTooLarge, ApiErrors.PayloadTooLarge, $"The body is larger than {MaxBodyBytes} bytes.");
        }

        using var buffer = new MemoryStream();
        var chunk = new byte[16 * 1024];
        int read;
        while ((read = await request.Body.ReadAsync(chunk, cancellationToken)) > 0)
        {
            if (buffer.Length + read > MaxBodyBytes)
            {
                throw new ApiException(StatusCodes.Status413PayloadTooLarge, ApiErrors.PayloadTooLarge, $"The body is larger than {MaxBodyBytes} bytes.");
            }

            buffer.Write(chunk, 0, read);
        }

        if (required && buffer.Length == 0)
        {
            throw ApiErrors.BadRequest(WorkersErrorCodes.InvalidBody, "A JSON body is required.");
        }

        return buffer.ToArray();
    }

    /// <summary>Parses the body as a <typeparamref name="T"/>; unknown fields, wrong types, bad JSON and depth over the limit are 400s.</summary>
    public static async Task<T> ReadAsync<T>(HttpRequest request, CancellationToken cancellationToken)
        where T : class
    {
        var body = await ReadBodyAsync(request, required: true, cancellationToken);
        return Deserialize<T>(body);
    }

    /// <summary>Bad JSON is INVALID_JSON; valid JSON of the wrong shape is INVALID_BODY (INVALID_FEATURE_FLAG under features,
    /// INVALID_INFRASTRUCTURE under infrastructure and persistence).</summary>
    public static T Deserialize<T>(ReadOnlySpan<byte> body)
        where T : class
    {
        Parse(body);
        try
        {
            return JsonSerializer.Deserialize<T>(body, Options)
                ?? throw ApiErrors.BadRequest(WorkersErrorCodes.InvalidBody, "The body must be a JSON object.");
        }
        catch (JsonException ex)
        {
            var path = ex.Path is { Length: > 1 } p ? p : null;
            var code = path switch
            {
                not null when path.StartsWith("$.features", StringComparison.OrdinalIgnoreCase) => WorkersErrorCodes.InvalidFeatureFlag,
                not null when path.StartsWith("$.infrastructure", StringComparison.OrdinalIgnoreCase)
                    || path.StartsWith("$.persistence.", StringComparison.OrdinalIgnoreCase) => WorkersErrorCodes.InvalidInfrastructure,
                _ => WorkersErrorCodes.InvalidBody,
            };
            var where = path is null ? "" : $" (at {path})";
            var message = ex.Message.Contains("could not be mapped", StringComparison.Ordinal)
                ? $"Unknown field{where}."
                : $"The body does not have the expected shape{where}: {FirstSentence(ex.Message)}";
            throw ApiErrors.BadRequest(code, message);
        }
    }

    /// <summary>Checks the body is JSON (within the depth limit); INVALID_JSON otherwise.</summary>
    public static JsonElement Parse(ReadOnlySpan<byte> body)
    {
        try
        {
            var reader = new Utf8JsonReader(body, new JsonReaderOptions { MaxDepth = MaxDepth });
            var root = JsonElement.ParseValue(ref reader);
            if (reader.Read())
            {
                throw ApiErrors.BadRequest(WorkersErrorCodes.InvalidJson, "The body holds more than one JSON value.");
            }

            return root;
        }
        catch (JsonException ex)
        {
            throw ApiErrors.BadRequest(WorkersErrorCodes.InvalidJson, $"The body is not valid JSON: {FirstSentence(ex.Message)}");
        }
    }

    private static string FirstSentence(string message)
    {
        int end = message.IndexOf(". ", StringComparison.Ordinal);
        var text = end > 0 ? message[..(end + 1)] : message;
        return text.Length <= 300 ? text : text[..300];
    }
}
