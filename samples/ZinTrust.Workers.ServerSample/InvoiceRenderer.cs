using ZinTrust.Workers.Abstractions;

namespace ZinTrust.Workers.ServerSample;

/// <summary>The job's payload: an invoice to render.</summary>
public sealed record Invoice(string Number, decimal[] Lines);

/// <summary>The sample's processor: logs a line with the job and returns the invoice's total.</summary>
public static class InvoiceRenderer
{
    public static Task<object?> RenderAsync(Invoice invoice, JobContext context)
    {
        ArgumentNullException.ThrowIfNull(invoice);
        ArgumentNullException.ThrowIfNull(context);
        context.Log($"rendering invoice {invoice.Number} ({invoice.Lines.Length} lines)");
        return Task.FromResult<object?>(new { invoice.Number, Total = invoice.Lines.Sum(), RenderedBy = context.WorkerName });
    }
}
