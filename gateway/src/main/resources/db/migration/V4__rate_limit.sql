-- Rate limits: one budget per route, client and period, shared by every node (docs/policies.md).
-- Nodes lease slices of a period's budget with a conditional UPDATE; "used" never exceeds the budget.
-- Written for both PostgreSQL and H2. V3 is left to the route registry.
CREATE TABLE rate_limit_budget (
    route_id       VARCHAR(64)  NOT NULL,
    client_id      VARCHAR(255) NOT NULL,
    period_seconds INTEGER      NOT NULL,
    window_start   BIGINT       NOT NULL,
    window_end     BIGINT       NOT NULL,
    used           BIGINT       NOT NULL,
    CONSTRAINT rate_limit_budget_pk PRIMARY KEY (route_id, client_id, period_seconds, window_start)
);

CREATE INDEX rate_limit_budget_end ON rate_limit_budget (window_end);
