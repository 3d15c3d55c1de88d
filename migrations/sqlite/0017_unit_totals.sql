-- Figures over a subtree without counting the records per request (issue 17). `unit_own` holds
-- what a unit's own records count, per metric and bucket (a unit kind, a category, a due date,
-- a month); `unit_totals` the same summed over the unit's subtree, so that a figure for any
-- unit is one indexed read. Kept by the `unit_totals` consumer of the domain events: an event
-- names the units whose records changed, the consumer counts those units afresh and adds the
-- difference to the unit and its ancestors; a unit moved re-sums its old and new ancestors.
CREATE TABLE unit_own (
    unit_id  BIGINT NOT NULL,
    metric   TEXT NOT NULL,
    bucket   TEXT NOT NULL,
    value    BIGINT NOT NULL,
    PRIMARY KEY (unit_id, metric, bucket)
);

CREATE TABLE unit_totals (
    unit_id  BIGINT NOT NULL,
    metric   TEXT NOT NULL,
    bucket   TEXT NOT NULL,
    value    BIGINT NOT NULL,
    PRIMARY KEY (unit_id, metric, bucket)
);
