-- Failure counters of package throttle, one row per scope, kind and
-- value (a normalised username, an email, a user id or a client address).
-- Not django-axes' axes_accessattempt: that table keys a row by
-- (username, ip_address, user_agent) together, holds no scope, and its
-- GenericIPAddressField cannot hold an IPv6 /64.
CREATE TABLE "djauth_throttle" (
    "scope" varchar(64) NOT NULL,
    "kind" varchar(16) NOT NULL,
    "value" text NOT NULL,
    "failures" integer NOT NULL CHECK ("failures" > 0),
    "last_failure" timestamptz NOT NULL,
    PRIMARY KEY ("scope", "kind", "value")
);
CREATE INDEX "djauth_throttle_last_failure_idx" ON "djauth_throttle" ("last_failure");
