-- The table the Orleans ADO.NET providers read their query texts from (name and columns are their contract).
-- @up
CREATE TABLE IF NOT EXISTS orleansquery
(
    querykey  varchar(64)   NOT NULL PRIMARY KEY,
    querytext varchar(8000) NOT NULL
);
-- @down
DROP TABLE IF EXISTS orleansquery;
