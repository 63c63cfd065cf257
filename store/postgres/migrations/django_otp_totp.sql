-- django_otp.plugins.otp_totp 0001_initial and 0002_auto_20190420_0723
-- (django-otp 1.1.3), as "manage.py sqlmigrate otp_totp 0001" and "0002"
-- print them on PostgreSQL with Django 3.2: a serial id, an integer
-- user_id referencing auth_user.
CREATE TABLE "otp_totp_totpdevice" ("id" serial NOT NULL PRIMARY KEY, "name" varchar(64) NOT NULL, "confirmed" boolean NOT NULL, "key" varchar(80) NOT NULL, "step" smallint NOT NULL CHECK ("step" >= 0), "t0" bigint NOT NULL, "digits" smallint NOT NULL CHECK ("digits" >= 0), "tolerance" smallint NOT NULL CHECK ("tolerance" >= 0), "drift" smallint NOT NULL, "last_t" bigint NOT NULL, "user_id" integer NOT NULL);
ALTER TABLE "otp_totp_totpdevice" ADD CONSTRAINT "otp_totp_totpdevice_user_id_0fb18292_fk_auth_user_id" FOREIGN KEY ("user_id") REFERENCES "auth_user" ("id") DEFERRABLE INITIALLY DEFERRED;
CREATE INDEX "otp_totp_totpdevice_user_id_0fb18292" ON "otp_totp_totpdevice" ("user_id");
ALTER TABLE "otp_totp_totpdevice" ADD COLUMN "throttling_failure_count" integer DEFAULT 0 NOT NULL CHECK ("throttling_failure_count" >= 0);
ALTER TABLE "otp_totp_totpdevice" ALTER COLUMN "throttling_failure_count" DROP DEFAULT;
ALTER TABLE "otp_totp_totpdevice" ADD COLUMN "throttling_failure_timestamp" timestamp with time zone NULL;
