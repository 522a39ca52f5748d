using System.Net;
using System.Text.Json;

namespace ZinTrust.Workers.Silo.Tests;

/// <summary>
/// One HTTP example of the original ZinTrust workers documentation and what we answer to it. <see cref="Line"/> and
/// <see cref="Section"/> say where the example is in the reference text (<c>shared/reference/000_a751b8d94f4c37b5.txt</c>);
/// <see cref="Request"/> is the method and path as the document writes them (<c>:name</c>, <c>{workerName}</c> and
/// <c>:version</c> are filled in from <see cref="Name"/> and <see cref="Version"/>), <see cref="Body"/> the body as written.
/// The only change to a request is the API key (admin unless <see cref="Role"/> says otherwise). Where our answer differs
/// from the document by design, <see cref="Differs"/> names the section of <c>docs/differences.md</c> that says how and why.
/// </summary>
internal sealed record DocumentedExample(int Line, string Section, string Request, string? Body = null, HttpStatusCode Status = HttpStatusCode.OK)
{
    /// <summary>Fills <c>:name</c> and <c>{workerName}</c> in <see cref="Request"/>.</summary>
    public string? Name { get; init; }

    /// <summary>Fills <c>:version</c> in <see cref="Request"/>.</summary>
    public string? Version { get; init; }

    /// <summary>The document sends <c>Content-Type: application/json</c> with no body.</summary>
    public bool JsonContentType { get; init; }

    /// <summary>The key the request carries: admin by default; null sends none.</summary>
    public ApiRole? Role { get; init; } = ApiRole.Admin;

    /// <summary>A step of ours that the examples after it need (a worker to act on, a job that fails), not an example of
    /// the document: <see cref="Line"/> is 0 and <see cref="Section"/> says what it prepares.</summary>
    public bool Ours { get; init; }

    /// <summary>Asked again (a GET) until this holds of the answer, within 20 s: for what the service does after answering.</summary>
    public Func<JsonElement, bool>? Until { get; init; }

    /// <summary>The <c>Location</c> a <c>201 Created</c> must carry.</summary>
    public string? Location { get; init; }

    /// <summary>Fields of the answer by path (<c>worker.status</c>, <c>jobs.0.state</c>) and their values: a string, a number, a
    /// bool, null, or a <see cref="JsonValueKind"/> for "present, of this kind".</summary>
    public (string Path, object? Value)[] Expect { get; init; } = [];

    /// <summary>Any further check of the answer.</summary>
    public Action<JsonElement>? Check { get; init; }

    /// <summary>The heading (its anchor) of docs/differences.md that explains how our answer differs from the document.</summary>
    public string? Differs { get; init; }

    public string Method => Request[..Request.IndexOf(' ', StringComparison.Ordinal)];

    /// <summary>The path with its placeholders filled in.</summary>
    public string Path
    {
        get
        {
            var path = Request[(Request.IndexOf(' ', StringComparison.Ordinal) + 1)..];
            if (Name is not null)
            {
                path = path.Replace(":name", Name, StringComparison.Ordinal).Replace("{workerName}", Name, StringComparison.Ordinal);
            }

            return Version is null ? path : path.Replace(":version", Version, StringComparison.Ordinal);
        }
    }

    public override string ToString() => Ours
        ? $"[ours: {Section}] {Method} {Path}"
        : $"line {Line} ({Section}) {Request}{(Request.EndsWith(Path, StringComparison.Ordinal) ? "" : $" as {Path}")}";
}
