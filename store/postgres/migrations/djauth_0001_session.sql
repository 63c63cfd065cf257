-- Sessions of the scs-compatible SessionStore. Tokens are opaque strings,
-- data is the encoded session and expiry is checked on every read.
CREATE TABLE "djauth_session" (
    "token" text PRIMARY KEY,
    "data" bytea NOT NULL,
    "expiry" timestamptz NOT NULL
);
CREATE INDEX "djauth_session_expiry_idx" ON "djauth_session" ("expiry");
