-- The user of each session in Django's django_session table, for the
-- DjangoSessionStore's user index (auth.SessionIndexer). A row means the
-- session has been seen: user_id is its user, NULL for an anonymous
-- session or data that does not verify. Go's writes keep the rows right;
-- sessions Django wrote are indexed when the sessions of a user are first
-- listed after it. No foreign key to django_session: Django's
-- "manage.py flush" truncates django_session alone, and an FK would make
-- that fail. A row whose session is gone is never listed (listing joins
-- django_session) and is removed by the store's cleanup.
CREATE TABLE "djauth_django_session_user" (
    "session_key" varchar(40) NOT NULL PRIMARY KEY,
    "user_id" bigint NULL
);
CREATE INDEX "djauth_django_session_user_user_id_idx" ON "djauth_django_session_user" ("user_id") WHERE "user_id" IS NOT NULL;
