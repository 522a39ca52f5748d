using System.Diagnostics;
using System.Globalization;
using Google.Protobuf;

namespace ZinTrust.Workers.Integration.Tests;

/// <summary>
/// A span as OTLP carried it, decoded field by field from <c>ExportTraceServiceRequest</c> (opentelemetry-proto's
/// trace.proto: resource spans, scope spans, spans with their attributes, links and status); ids in lower-case hex.
/// </summary>
public sealed record OtlpSpan(
    string TraceId,
    string SpanId,
    string ParentSpanId,
    string Name,
    ActivityKind Kind,
    IReadOnlyDictionary<string, string> Attributes,
    IReadOnlyList<(string TraceId, string SpanId)> Links,
    int StatusCode,
    string Scope,
    IReadOnlyDictionary<string, string> Resource)
{
    /// <summary>OTLP's STATUS_CODE_ERROR.</summary>
    public const int Error = 2;

    public string? this[string attribute] => Attributes.GetValueOrDefault(attribute);

    public static IEnumerable<OtlpSpan> Parse(byte[] exportRequest)
    {
        var spans = new List<OtlpSpan>();
        foreach (var resourceSpans in Fields(exportRequest, 1))
        {
            var resource = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var r in Fields(resourceSpans, 1))
            {
                foreach (var kv in Fields(r, 1))
                {
                    Add(resource, kv);
                }
            }

            foreach (var scopeSpans in Fields(resourceSpans, 2))
            {
                string scope = Fields(scopeSpans, 1).Select(s => Text(s, 1)).FirstOrDefault() ?? "";
                foreach (var span in Fields(scopeSpans, 2))
                {
                    spans.Add(Span(span, scope, resource));
                }
            }
        }

        return spans;
    }

    private static OtlpSpan Span(byte[] span, string scope, Dictionary<string, string> resource)
    {
        string traceId = "", spanId = "", parent = "", name = "";
        int kind = 0, status = 0;
        var attributes = new Dictionary<string, string>(StringComparer.Ordinal);
        var links = new List<(string, string)>();
        var input = new CodedInputStream(span);
        uint tag;
        while ((tag = input.ReadTag()) != 0)
        {
            switch (WireFormat.GetTagFieldNumber(tag))
            {
                case 1: traceId = Hex(input.ReadBytes()); break;
                case 2: spanId = Hex(input.ReadBytes()); break;
                case 4: parent = Hex(input.ReadBytes()); break;
                case 5: name = input.ReadString(); break;
                case 6: kind = input.ReadEnum(); break;
                case 9: Add(attributes, input.ReadBytes().ToByteArray()); break;
                case 13:
                    var link = input.ReadBytes().ToByteArray();
                    links.Add((Hex(Fields(link, 1).FirstOrDefault() ?? []), Hex(Fields(link, 2).FirstOrDefault() ?? [])));
                    break;
                case 15: status = StatusOf(input.ReadBytes().ToByteArray()); break;
                default: input.SkipLastField(); break;
            }
        }

        // OTLP's SpanKind counts from unspecified (0), internal (1); ActivityKind from internal (0).
        return new OtlpSpan(traceId, spanId, parent, name, (ActivityKind)Math.Max(0, kind - 1), attributes, links, status, scope, resource);
    }

    private static int StatusOf(byte[] status)
    {
        var input = new CodedInputStream(status);
        uint tag;
        int code = 0;
        while ((tag = input.ReadTag()) != 0)
        {
            if (WireFormat.GetTagFieldNumber(tag) == 3)
            {
                code = input.ReadEnum();
            }
            else
            {
                input.SkipLastField();
            }
        }

        return code;
    }

    /// <summary>A KeyValue: key (1) and AnyValue (2: string 1, bool 2, int 3, double 4), as text.</summary>
    private static void Add(Dictionary<string, string> into, byte[] keyValue)
    {
        string key = Text(keyValue, 1) ?? "";
        var value = Fields(keyValue, 2).FirstOrDefault();
        if (value is null)
        {
            return;
        }

        var input = new CodedInputStream(value);
        uint tag = input.ReadTag();
        into[key] = WireFormat.GetTagFieldNumber(tag) switch
        {
            1 => input.ReadString(),
            2 => input.ReadBool() ? "true" : "false",
            3 => input.ReadInt64().ToString(CultureInfo.InvariantCulture),
            4 => input.ReadDouble().ToString(CultureInfo.InvariantCulture),
            _ => "(other)",
        };
    }

    private static string? Text(byte[] message, int field) =>
        Fields(message, field).Select(b => System.Text.Encoding.UTF8.GetString(b)).FirstOrDefault();

    /// <summary>The length-delimited occurrences of <paramref name="field"/> in a message.</summary>
    private static List<byte[]> Fields(byte[] message, int field)
    {
        var found = new List<byte[]>();
        var input = new CodedInputStream(message);
        uint tag;
        while ((tag = input.ReadTag()) != 0)
        {
            if (WireFormat.GetTagFieldNumber(tag) == field && WireFormat.GetTagWireType(tag) == WireFormat.WireType.LengthDelimited)
            {
                found.Add(input.ReadBytes().ToByteArray());
            }
            else
            {
                input.SkipLastField();
            }
        }

        return found;
    }

    private static string Hex(ByteString bytes) => Convert.ToHexStringLower(bytes.Span);

    private static string Hex(byte[] bytes) => Convert.ToHexStringLower(bytes);
}
