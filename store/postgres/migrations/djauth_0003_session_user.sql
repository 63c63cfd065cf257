-- The user of each logged-in session, so that the sessions of a user can
-- be listed and revoked (auth.SessionIndexer). NULL for an anonymous
-- session, and for sessions saved before this migration until their next
-- save. No foreign key: the user table may be a custom one, and a deleted
-- user's sessions already end on their next request.
ALTER TABLE "djauth_session" ADD COLUMN "user_id" bigint NULL;
CREATE INDEX "djauth_session_user_id_idx" ON "djauth_session" ("user_id") WHERE "user_id" IS NOT NULL;
