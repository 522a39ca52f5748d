using Microsoft.Extensions.Logging;
using ZinTrust.Workers.Grains;

namespace ZinTrust.Workers.Silo;

/// <summary>Everything the host reads at start-up, already parsed and validated.</summary>
public sealed class HostSettings
{
    public WorkersOptions Workers { get; } = new();

    /// <summary>LOG_LEVEL: trace | debug | info | warn | error | fatal | none. Default: info.</summary>
    public LogLevel LogLevel { get; set; } = LogLevel.Information;

    /// <summary>LOG_FORMAT: text | json. Default: text.</summary>
    public string LogFormat { get; set; } = "text";

    /// <summary>WORKER_API_HOST: the address the REST facade binds. Default: 127.0.0.1.</summary>
    public string HttpHost { get; set; } = "127.0.0.1";

    /// <summary>PORT: the REST facade's port. Default: 7777.</summary>
    public int HttpPort { get; set; } = 7777;

    /// <summary>SILO_PORT: silo-to-silo port. Default: 11111.</summary>
    public int SiloPort { get; set; } = 11111;

    /// <summary>GATEWAY_PORT: client gateway port. Default: 30000.</summary>
    public int GatewayPort { get; set; } = 30000;

    /// <summary>WORKER_DEMO: register the demo processors and the demo worker. Default: true.</summary>
    public bool DemoWorker { get; set; } = true;
}
