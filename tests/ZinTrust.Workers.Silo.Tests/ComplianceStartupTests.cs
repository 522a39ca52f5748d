using System.Diagnostics;
using ZinTrust.Workers.Grains;

namespace ZinTrust.Workers.Silo.Tests;

/// <summary>The compliance settings at start-up (a real process, outside Development) and the <c>encryption-key</c> command.</summary>
public sealed class ComplianceStartupTests
{
    [Theory]
    [InlineData("WORKER_ENCRYPTION", "true", "WORKER_ENCRYPTION: encryption at rest is on but no key ring")]
    [InlineData("WORKER_HIPAA", "true", "WORKER_HIPAA: requires encryption at rest")]
    [InlineData("WORKER_AUDIT_LOG", "false", "WORKER_SOC2: requires the audit log")]
    [InlineData("WORKER_DATA_RETENTION", "ninety", "WORKER_DATA_RETENTION:")]
    [InlineData("WORKER_GDPR", "perhaps", "WORKER_GDPR:")]
    [InlineData("WORKER_ENCRYPTION_KEYS_FILE", "/nonexistent/keys.json", "WORKER_ENCRYPTION_KEYS_FILE: the key ring file '/nonexistent/keys.json' cannot be read")]
    public async Task AComplianceSettingThatCannotHold_StopsStartUp_NamingIt(string variable, string value, string expected)
    {
        var (exitCode, stderr) = await StartupTests.RunToExit(new Dictionary<string, string> { ["WORKER_API_KEYS"] = TestKeys.Setting, [variable] = value });

        Assert.Equal(2, exitCode);
        Assert.Contains(expected, stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task GdprWithoutRetention_StopsStartUp()
    {
        var (exitCode, stderr) = await StartupTests.RunToExit(new Dictionary<string, string>
        {
            ["WORKER_API_KEYS"] = TestKeys.Setting, ["WORKER_GDPR"] = "true", ["WORKER_DATA_RETENTION"] = "0",
        });

        Assert.Equal(2, exitCode);
        Assert.Contains("WORKER_GDPR: requires retention", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ACorruptKeyRing_StopsStartUp_WithoutPrintingAnyKey()
    {
        var directory = Directory.CreateTempSubdirectory("zt-ring-").FullName;
        try
        {
            var ring = EncryptionKeyRing.Create("k1", TimeProvider.System).ToJson();
            var key = System.Text.Json.JsonDocument.Parse(ring).RootElement.GetProperty("keys")[0].GetProperty("key").GetString()!;
            var file = Path.Combine(directory, "keys.json");
            await File.WriteAllTextAsync(file, ring.Replace("\"active\": \"k1\"", "\"active\": \"k2\"", StringComparison.Ordinal), TestContext.Current.CancellationToken);

            var (exitCode, stderr) = await StartupTests.RunToExit(new Dictionary<string, string> { ["WORKER_API_KEYS"] = TestKeys.Setting, ["WORKER_ENCRYPTION_KEYS_FILE"] = file });

            Assert.Equal(2, exitCode);
            Assert.Contains("\"active\" must name one of the ring's keys", stderr, StringComparison.Ordinal);
            Assert.DoesNotContain(key, stderr, StringComparison.Ordinal);
            Assert.DoesNotContain(key[..12], stderr, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    [Fact]
    public async Task EncryptionKeyCommand_MakesARing_AddsAnActiveKey_AndRetiresTheOldOne()
    {
        var directory = Directory.CreateTempSubdirectory("zt-ring-").FullName;
        var file = Path.Combine(directory, "keys.json");
        try
        {
            var (made, madeOut, _) = await Command(["encryption-key", "--id", "k1", "--out", file]);
            Assert.Equal(0, made);
            Assert.Contains("new key ring", madeOut, StringComparison.Ordinal);
            if (!OperatingSystem.IsWindows())
            {
                Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(file));
            }

            var first = EncryptionKeyRing.Load(file, out var problem);
            Assert.Null(problem);
            Assert.Equal("k1", first!.ActiveKeyId);
            var key = System.Text.Json.JsonDocument.Parse(await File.ReadAllTextAsync(file, TestContext.Current.CancellationToken)).RootElement.GetProperty("keys")[0].GetProperty("key").GetString()!;
            Assert.DoesNotContain(key, madeOut, StringComparison.Ordinal);

            Assert.Equal(0, (await Command(["encryption-key", "--id", "k2", "--out", file])).ExitCode);
            Assert.Equal("k2", EncryptionKeyRing.Load(file, out _)!.ActiveKeyId);
            var (activeRefused, _, activeError) = await Command(["encryption-key", "retire", "--id", "k2", "--out", file]);
            Assert.Equal(2, activeRefused);
            Assert.Contains("'k2' is the active key", activeError, StringComparison.Ordinal);
            var (duplicate, _, _) = await Command(["encryption-key", "--id", "k1", "--out", file]);
            Assert.Equal(2, duplicate);

            // The in-memory job store keeps nothing past its process: nothing to re-encrypt, so the old key retires.
            Assert.Equal(0, (await Command(["encryption-key", "retire", "--id", "k1", "--out", file])).ExitCode);
            Assert.Equal(["k2"], EncryptionKeyRing.Load(file, out _)!.KeyIds);
            Assert.Equal(2, (await Command(["encryption-key", "--id", "bad id", "--out", file])).ExitCode);
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    internal static async Task<(int ExitCode, string Stdout, string Stderr)> Command(string[] arguments, IReadOnlyDictionary<string, string>? environment = null)
    {
        var start = StartupTests.Silo(environment ?? new Dictionary<string, string>());
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync(TestContext.Current.CancellationToken);
        var stderr = process.StandardError.ReadToEndAsync(TestContext.Current.CancellationToken);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        timeout.CancelAfter(TimeSpan.FromSeconds(60));
        await process.WaitForExitAsync(timeout.Token);
        return (process.ExitCode, await stdout, await stderr);
    }
}
