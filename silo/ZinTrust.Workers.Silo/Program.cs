using ZinTrust.Workers.Server;

return await SiloHost.RunAsync(args);

/// <summary>The host's entry point (public for WebApplicationFactory).</summary>
public partial class Program;
