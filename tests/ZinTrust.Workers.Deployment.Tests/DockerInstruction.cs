namespace ZinTrust.Workers.Deployment.Tests;

/// <summary>One instruction of a Dockerfile stage, its continuation lines joined.</summary>
public sealed record DockerInstruction(string Keyword, string Arguments);
