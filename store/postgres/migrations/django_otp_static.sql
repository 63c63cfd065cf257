-- django_otp.plugins.otp_static 0001_initial and 0002_throttling (django-otp
-- 1.1.3), as "manage.py sqlmigrate otp_static 0001" and "... 0002" print
-- them on PostgreSQL with Django 3.2: serial ids (the migration names
-- AutoField itself), an integer user_id referencing auth_user, tokens in
-- plain text. 0002 adds the throttling columns and drops the count's
-- default again, as Django does, so every INSERT names it.
CREATE TABLE "otp_static_staticdevice" ("id" serial NOT NULL PRIMARY KEY, "name" varchar(64) NOT NULL, "confirmed" boolean NOT NULL, "user_id" integer NOT NULL);
CREATE TABLE "otp_static_statictoken" ("id" serial NOT NULL PRIMARY KEY, "token" varchar(16) NOT NULL, "device_id" integer NOT NULL);
ALTER TABLE "otp_static_staticdevice" ADD CONSTRAINT "otp_static_staticdevice_user_id_7f9cff2b_fk_auth_user_id" FOREIGN KEY ("user_id") REFERENCES "auth_user" ("id") DEFERRABLE INITIALLY DEFERRED;
CREATE INDEX "otp_static_staticdevice_user_id_7f9cff2b" ON "otp_static_staticdevice" ("user_id");
ALTER TABLE "otp_static_statictoken" ADD CONSTRAINT "otp_static_statictok_device_id_74b7c7d1_fk_otp_stati" FOREIGN KEY ("device_id") REFERENCES "otp_static_staticdevice" ("id") DEFERRABLE INITIALLY DEFERRED;
CREATE INDEX "otp_static_statictoken_token_d0a51866" ON "otp_static_statictoken" ("token");
CREATE INDEX "otp_static_statictoken_token_d0a51866_like" ON "otp_static_statictoken" ("token" varchar_pattern_ops);
CREATE INDEX "otp_static_statictoken_device_id_74b7c7d1" ON "otp_static_statictoken" ("device_id");
ALTER TABLE "otp_static_staticdevice" ADD COLUMN "throttling_failure_count" integer DEFAULT 0 NOT NULL CHECK ("throttling_failure_count" >= 0);
ALTER TABLE "otp_static_staticdevice" ALTER COLUMN "throttling_failure_count" DROP DEFAULT;
ALTER TABLE "otp_static_staticdevice" ADD COLUMN "throttling_failure_timestamp" timestamp with time zone NULL;
