using Npgsql;
using ZinTrust.Workers.PostgreSql;

namespace ZinTrust.Workers.Integration.Tests;

/// <summary>The schema and its migration runner against a real PostgreSQL, each test on a fresh database.</summary>
public sealed class MigrationTests
{
    private static Task<bool> TableExists(string connectionString, string table) =>
        TestPostgres.TableExistsAsync(connectionString, table, TestContext.Current.CancellationToken);

    [Fact]
    public async Task Apply_CreatesTheSchema_AndIsIdempotent()
    {
        var ct = TestContext.Current.CancellationToken;
        var db = await RealServers.FreshDatabaseAsync(migrate: false, ct);
        var runner = new MigrationRunner(db);

        Assert.All(await runner.StatusAsync(ct), s => Assert.False(s.Applied));
        Assert.Equal(runner.Migrations.Count, (await runner.ApplyAsync(ct)).Count);
        Assert.Empty(await runner.ApplyAsync(ct));

        Assert.All(await runner.StatusAsync(ct), s => Assert.True(s.Applied && !s.Changed));
        foreach (var table in new[] { "orleansquery", "zt_membership", "zt_membership_version", "zintrust_workers", "zintrust_migrations" })
        {
            Assert.True(await TableExists(db, table), table);
        }
    }

    [Fact]
    public async Task ConcurrentRunners_ApplyEachStepOnce()
    {
        var ct = TestContext.Current.CancellationToken;
        var db = await RealServers.FreshDatabaseAsync(migrate: false, ct);

        var results = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => new MigrationRunner(db).ApplyAsync(ct)));

        Assert.Equal(new MigrationRunner(db).Migrations.Count, results.Sum(r => r.Count));
    }

    [Fact]
    public async Task Rollback_Steps_Reset_AndFresh()
    {
        var ct = TestContext.Current.CancellationToken;
        var db = await RealServers.FreshDatabaseAsync(migrate: true, ct);
        var runner = new MigrationRunner(db, "custom_workers");
        await runner.ApplyAsync(ct);
        var last = runner.Migrations[^1];

        var undone = await runner.RollbackAsync(1, ct);

        Assert.Equal([last.Name], undone.Select(m => m.Name));
        Assert.False((await runner.StatusAsync(ct)).Single(s => s.Migration.Id == last.Id).Applied);
        Assert.Equal(runner.Migrations.Count - 1, (await runner.ResetAsync(ct)).Count);
        Assert.False(await TableExists(db, "zt_membership"));
        Assert.Equal(runner.Migrations.Count, (await runner.FreshAsync(ct)).Count);
        Assert.True(await TableExists(db, "zt_membership"));
    }

    [Fact]
    public void InvalidTableName_IsRefused_NamingTheSetting()
    {
        var error = Assert.Throws<ArgumentException>(() => new MigrationRunner("Host=x", "workers; DROP TABLE x"));
        Assert.Contains("WORKER_PERSISTENCE_TABLE", error.Message, StringComparison.Ordinal);
    }
}
