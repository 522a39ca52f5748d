namespace ZinTrust.Workers.Sample;

/// <summary>The sample's job payload; the echo processor returns it unchanged.</summary>
public sealed record Greeting(string To, string Text);
