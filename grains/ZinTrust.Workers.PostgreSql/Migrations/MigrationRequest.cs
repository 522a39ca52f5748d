namespace ZinTrust.Workers.PostgreSql;

/// <summary>What a migrate command should do (<c>--status</c>, <c>--fresh</c>, <c>--reset</c>, <c>--rollback</c>, or apply).</summary>
public enum MigrationAction
{
    /// <summary>Apply every pending step (the default).</summary>
    Apply,

    /// <summary>List every step: applied (when), pending, or changed since it was applied.</summary>
    Status,

    /// <summary>Undo everything, then apply everything.</summary>
    Fresh,

    /// <summary>Undo every applied step.</summary>
    Reset,

    /// <summary>Undo the last <see cref="MigrationRequest.Steps"/> applied steps.</summary>
    Rollback,
}

/// <summary>A migrate command as the silo (<c>migrate</c>) and the CLI (<c>zin migrate:worker</c>) parse it.</summary>
public sealed record MigrationRequest
{
    public MigrationAction Action { get; init; } = MigrationAction.Apply;

    /// <summary>How many steps <see cref="MigrationAction.Rollback"/> undoes. Default: 1.</summary>
    public int Steps { get; init; } = 1;

    /// <summary>
    /// A connection name (read from <c>ConnectionStrings:NAME</c>) or, when it contains '=', a whole connection
    /// string. Default (null): the name in WORKER_PERSISTENCE_DB_CONNECTION, else "default".
    /// </summary>
    public string? Connection { get; init; }
}
