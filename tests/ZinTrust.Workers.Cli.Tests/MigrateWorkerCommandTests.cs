using System.Globalization;
using Npgsql;

namespace ZinTrust.Workers.Cli.Tests;

/// <summary>
/// migrate:worker against the real PostgreSQL of <c>infra/test.sh</c> (ZT_TEST_POSTGRES; the tests fail without
/// it), each test on a fresh database.
/// </summary>
public sealed class MigrateWorkerCommandTests
{
    private static readonly string[] AllSteps = ["0001_orleans_query", "0002_orleans_membership", "0003_workers_state"];

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Apply_Status_Rollback_Reset_Fresh_ThroughANamedConnection()
    {
        var db = await TestPostgres.FreshDatabaseAsync(migrate: false, Ct);
        var env = new Dictionary<string, string> { ["ConnectionStrings__reporting"] = db };
        Task<CliResult> Migrate(params string[] args) => Cli.RunAsync(["migrate:worker", "--connection", "reporting", .. args], env);

        var apply = await Migrate();
        var again = await Migrate();
        var status = await Migrate("--status");
        var rollback = await Migrate("--rollback", "--step", "2");
        var afterRollback = await Migrate("--status");
        var reset = await Migrate("--reset");
        var membershipAfterReset = await TestPostgres.TableExistsAsync(db, "zt_membership", Ct);
        var fresh = await Migrate("--fresh");

        Assert.True(apply.ExitCode == 0, apply.ToString());
        Assert.Equal(AllSteps.Select(s => $"Applied {s}"), apply.OutputLines);
        Assert.Equal(["Nothing to do."], again.OutputLines);
        Assert.All(status.OutputLines, l => Assert.Matches(@"^\d{4}_\w+\s+applied \d{4}-\d\d-\d\d \d\d:\d\d:\d\d$", l));
        Assert.Equal(["Rolled back 0003_workers_state", "Rolled back 0002_orleans_membership"], rollback.OutputLines);
        Assert.Matches(@"^0001_orleans_query\s+applied ", afterRollback.OutputLines[0]);
        Assert.Matches(@"^0002_orleans_membership\s+pending$", afterRollback.OutputLines[1]);
        Assert.Equal(["Rolled back 0001_orleans_query"], reset.OutputLines);
        Assert.False(membershipAfterReset);
        Assert.Equal(AllSteps.Select(s => $"Applied {s}"), fresh.OutputLines);
        Assert.True(await TestPostgres.TableExistsAsync(db, "zintrust_workers", Ct));
    }

    [Fact]
    public async Task DefaultConnection_AndTable_ComeFromTheWorkerPersistenceVariables()
    {
        var db = await TestPostgres.FreshDatabaseAsync(migrate: false, Ct);
        var env = new Dictionary<string, string>
        {
            ["WORKER_PERSISTENCE_DB_CONNECTION"] = "workers",
            ["ConnectionStrings__workers"] = db,
            ["WORKER_PERSISTENCE_TABLE"] = "cli_workers_state",
        };

        var result = await Cli.RunAsync(["migrate:worker"], env);

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.True(await TestPostgres.TableExistsAsync(db, "cli_workers_state", Ct));
        Assert.False(await TestPostgres.TableExistsAsync(db, "zintrust_workers", Ct));
    }

    [Fact]
    public async Task Connection_MayBeAWholeConnectionString_WhichIsNeverPrinted()
    {
        var db = await TestPostgres.FreshDatabaseAsync(migrate: false, Ct);
        var password = new NpgsqlConnectionStringBuilder(db).Password;

        var apply = await Cli.RunAsync("migrate:worker", "--connection", db);
        var wrong = new NpgsqlConnectionStringBuilder(db) { Password = "not-the-password", Timeout = 5 }.ConnectionString;
        var refused = await Cli.RunAsync("migrate:worker", "--status", "--connection", wrong);

        Assert.True(apply.ExitCode == 0, apply.ToString());
        Assert.Equal(AllSteps.Select(s => $"Applied {s}"), apply.OutputLines);
        Assert.Equal(1, refused.ExitCode);
        Assert.StartsWith("[ERROR] the connection string given with --connection failed: ", refused.Error, StringComparison.Ordinal);
        foreach (var result in new[] { apply, refused })
        {
            Assert.DoesNotContain("not-the-password", result.Output + result.Error, StringComparison.Ordinal);
            if (!string.IsNullOrEmpty(password))
            {
                Assert.DoesNotContain(password, result.Output + result.Error, StringComparison.Ordinal);
            }
        }
    }

    [Fact]
    public async Task UnreachableDatabase_SaysWhichConnectionFailed_AndExits1()
    {
        var port = SiloProcess.FreePort().ToString(CultureInfo.InvariantCulture);
        var env = new Dictionary<string, string> { ["ConnectionStrings__default"] = $"Host=127.0.0.1;Port={port};Username=postgres;Password=x;Timeout=3" };

        var result = await Cli.RunAsync(["migrate:worker", "--status"], env);

        Assert.Equal(1, result.ExitCode);
        Assert.StartsWith("[ERROR] connection 'default' failed: ", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task MissingConnectionString_NamesTheVariableToSet_AndExits2()
    {
        var result = await Cli.RunAsync("migrate:worker", "--connection", "reporting");

        Assert.Equal(2, result.ExitCode);
        Assert.Equal(["[ERROR] no connection string named 'reporting'; set ConnectionStrings__reporting (or pass --connection NAME, or a connection string)."], result.ErrorLines);
    }

    [Theory]
    [InlineData("--status", "--reset")]
    [InlineData("--fresh", "--rollback")]
    public async Task TwoActions_AreAUsageError(string first, string second)
    {
        var result = await Cli.RunAsync("migrate:worker", first, second);

        Assert.Equal(2, result.ExitCode);
        Assert.Equal(["[ERROR] Give at most one of --status, --fresh, --reset, --rollback."], result.ErrorLines);
    }

    [Fact]
    public async Task Step_GoesWithRollback()
    {
        var result = await Cli.RunAsync("migrate:worker", "--step", "2");

        Assert.Equal(2, result.ExitCode);
        Assert.Equal(["[ERROR] --step N (N ≥ 1) goes with --rollback."], result.ErrorLines);
    }

    [Fact]
    public async Task All_RunsTheActionOnEveryConfiguredConnection_InNameOrder()
    {
        var alpha = await TestPostgres.FreshDatabaseAsync(migrate: false, Ct);
        var beta = await TestPostgres.FreshDatabaseAsync(migrate: false, Ct);
        var env = new Dictionary<string, string> { ["ConnectionStrings__beta"] = beta, ["ConnectionStrings__alpha"] = alpha, ["ZIN_API_PORT"] = "7777" };

        var apply = await Cli.RunAsync(["migrate:worker", "--all"], env);
        var status = await Cli.RunAsync(["migrate:worker", "--all", "--status"], env);

        Assert.True(apply.ExitCode == 0, apply.ToString());
        Assert.Equal(["--- Connection: alpha ---", .. AllSteps.Select(s => $"Applied {s}"), "--- Connection: beta ---", .. AllSteps.Select(s => $"Applied {s}")], apply.OutputLines);
        Assert.True(await TestPostgres.TableExistsAsync(alpha, "zintrust_workers", Ct));
        Assert.True(await TestPostgres.TableExistsAsync(beta, "zintrust_workers", Ct));
        Assert.Equal(2 + (2 * AllSteps.Length), status.OutputLines.Length);
    }

    [Fact]
    public async Task All_StopsAtTheFirstConnectionThatFails_AndExits1()
    {
        var port = SiloProcess.FreePort().ToString(CultureInfo.InvariantCulture);
        var env = new Dictionary<string, string>
        {
            ["ConnectionStrings__a_down"] = $"Host=127.0.0.1;Port={port};Username=postgres;Password=x;Timeout=3",
            ["ConnectionStrings__b_never"] = $"Host=127.0.0.1;Port={port};Username=postgres;Password=x;Timeout=3",
        };

        var result = await Cli.RunAsync(["migrate:worker", "--all", "--status"], env);

        Assert.Equal(1, result.ExitCode);
        Assert.Equal(["--- Connection: a_down ---"], result.OutputLines);
        Assert.StartsWith("[ERROR] connection 'a_down' failed: ", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task All_WithoutConnectionStrings_SaysWhatToSet_AndExits2()
    {
        var result = await Cli.RunAsync(["migrate:worker", "--all"], new Dictionary<string, string> { ["ConnectionStrings__empty"] = " " });

        Assert.Equal(2, result.ExitCode);
        Assert.Equal(["[ERROR] --all found no connection strings; set ConnectionStrings__NAME for each database."], result.ErrorLines);
    }

    [Fact]
    public async Task All_WithConnection_IsAUsageError()
    {
        var result = await Cli.RunAsync("migrate:worker", "--all", "--connection", "reporting");

        Assert.Equal(2, result.ExitCode);
        Assert.Equal(["[ERROR] Give --connection or --all, not both."], result.ErrorLines);
    }
}
