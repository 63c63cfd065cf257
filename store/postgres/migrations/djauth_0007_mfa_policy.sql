-- The second factor policy of package mfa (mfa.Policy), kept as data so
-- that a dashboard or authctl can change it while the site runs: one row,
-- id 1; no row means the zero policy (nobody is required). grace is a
-- Go time.Duration in nanoseconds.
CREATE TABLE "djauth_mfa_policy" (
    "id" smallint NOT NULL PRIMARY KEY CHECK ("id" = 1),
    "everyone" boolean NOT NULL,
    "superusers" boolean NOT NULL,
    "staff" boolean NOT NULL,
    "groups" varchar(150)[] NOT NULL,
    "grace" bigint NOT NULL CHECK ("grace" >= 0),
    "updated_at" timestamptz NOT NULL
);
-- When the policy first covered each user: the start of the user's grace
-- period. No foreign key, as djauth_session's user_id: the user table may
-- be a custom one. authctl mfa reset deletes a user's row.
CREATE TABLE "djauth_mfa_required_since" (
    "user_id" bigint NOT NULL PRIMARY KEY,
    "since" timestamptz NOT NULL
);
