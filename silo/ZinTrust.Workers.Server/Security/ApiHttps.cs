using System.Security.Cryptography.X509Certificates;

namespace ZinTrust.Workers.Server;

/// <summary>
/// HTTPS for the REST API (WORKER_API_CERTIFICATE): the certificate Kestrel serves on PORT, and the headers every API
/// response carries (HSTS over HTTPS; no sniffing, no framing, no referrer).
/// </summary>
public static class ApiHttps
{
    /// <summary>HSTS: a year, as browsers' preload lists expect; the host names are the operator's, so no subdomains.</summary>
    private const string StrictTransportSecurity = "max-age=31536000";

    /// <summary>WORKER_API_CERTIFICATE (PKCS#12 with WORKER_API_CERTIFICATE_PASSWORD, or PEM with WORKER_API_CERTIFICATE_KEY);
    /// null when unset. Problems name the setting, never the password.</summary>
    public static X509Certificate2? Read(IConfiguration configuration, List<string> problems)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        ArgumentNullException.ThrowIfNull(problems);
        if (configuration["WORKER_API_CERTIFICATE"] is not { } path || string.IsNullOrWhiteSpace(path))
        {
            return null;
        }

        var key = configuration["WORKER_API_CERTIFICATE_KEY"] is { Length: > 0 } k ? k.Trim() : null;
        var password = configuration["WORKER_API_CERTIFICATE_PASSWORD"] is { Length: > 0 } p ? p : null;
        return ClusterTls.FromFile("WORKER_API_CERTIFICATE", "a .pfx/.p12 with WORKER_API_CERTIFICATE_PASSWORD, or PEM with WORKER_API_CERTIFICATE_KEY",
            path.Trim(), key, password, problems);
    }

    /// <summary>The security headers of every response (the console's pages add their Content-Security-Policy), and HSTS on
    /// HTTPS requests.</summary>
    public static WebApplication UseApiSecurityHeaders(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        app.Use((context, next) =>
        {
            var headers = context.Response.Headers;
            headers.XContentTypeOptions = "nosniff";
            headers.XFrameOptions = "DENY";
            headers["Referrer-Policy"] = "no-referrer";
            if (context.Request.IsHttps)
            {
                headers.StrictTransportSecurity = StrictTransportSecurity;
            }

            return next(context);
        });
        return app;
    }
}
