-- Passwordless login requests of package passwordless: HMACs of the link
-- token, the code and the asking browser's nonce, never the secrets.
-- user_id 0 is a request for an address without an account (no mail was
-- sent); no foreign key, as djauth_session's: the user table may be a
-- custom one.
CREATE TABLE "djauth_passwordless" (
    "id" varchar(64) NOT NULL PRIMARY KEY,
    "user_id" bigint NOT NULL,
    "subject" varchar(128) NOT NULL,
    "link_hash" bytea NOT NULL,
    "code_hash" bytea NOT NULL,
    "binding_hash" bytea NOT NULL,
    "attempts" integer NOT NULL DEFAULT 0 CHECK ("attempts" >= 0),
    "created" timestamptz NOT NULL,
    "expires" timestamptz NOT NULL
);
CREATE INDEX "djauth_passwordless_user_id" ON "djauth_passwordless" ("user_id");
CREATE INDEX "djauth_passwordless_expires" ON "djauth_passwordless" ("expires");
