-- Grain state of the worker system when WORKER_PERSISTENCE_DRIVER=db: one row per grain and state name,
-- the state in Orleans' binary format, an integer ETag for optimistic concurrency.
-- {{workers_table}} is WORKER_PERSISTENCE_TABLE (default zintrust_workers).
-- @up
CREATE TABLE IF NOT EXISTS {{workers_table}}
(
    grain_id   varchar(512) NOT NULL,
    state_name varchar(128) NOT NULL,
    payload    bytea        NOT NULL,
    etag       bigint       NOT NULL,
    updated_at timestamptz  NOT NULL DEFAULT now(),
    PRIMARY KEY (grain_id, state_name)
);
-- @down
DROP TABLE IF EXISTS {{workers_table}};
