-- django-allauth 0.51's allauth.socialaccount 0001_initial,
-- 0002_token_max_lengths and 0003_extra_data_default_dict (Debian's
-- python3-django-allauth with Django 3.2), as Django's migrate runs them on
-- PostgreSQL with django.contrib.sites installed (SITE_ID set). Their
-- statements are what "manage.py sqlmigrate socialaccount 0001" would
-- print; that command fails on allauth 0.51 itself, because 0001's
-- dependencies lose the user model's when sites are enabled (an operator
-- precedence slip), so the SQL was collected through Django's
-- MigrationExecutor over the whole plan instead. 0003 changes no column.
-- The many-to-many table's id is a bigserial under Django 3.2's
-- startproject default DEFAULT_AUTO_FIELD (BigAutoField); a project with
-- AutoField has a serial there, which Migrate accepts as well.
CREATE TABLE "socialaccount_socialaccount" ("id" serial NOT NULL PRIMARY KEY, "provider" varchar(30) NOT NULL, "uid" varchar(191) NOT NULL, "last_login" timestamp with time zone NOT NULL, "date_joined" timestamp with time zone NOT NULL, "extra_data" text NOT NULL, "user_id" integer NOT NULL);
CREATE TABLE "socialaccount_socialapp" ("id" serial NOT NULL PRIMARY KEY, "provider" varchar(30) NOT NULL, "name" varchar(40) NOT NULL, "client_id" varchar(100) NOT NULL, "secret" varchar(100) NOT NULL, "key" varchar(100) NOT NULL);
CREATE TABLE "socialaccount_socialapp_sites" ("id" bigserial NOT NULL PRIMARY KEY, "socialapp_id" integer NOT NULL, "site_id" integer NOT NULL);
CREATE TABLE "socialaccount_socialtoken" ("id" serial NOT NULL PRIMARY KEY, "token" text NOT NULL, "token_secret" text NOT NULL, "expires_at" timestamp with time zone NULL, "account_id" integer NOT NULL, "app_id" integer NOT NULL);
ALTER TABLE "socialaccount_socialtoken" ADD CONSTRAINT "socialaccount_socialtoken_app_id_account_id_fca4e0ac_uniq" UNIQUE ("app_id", "account_id");
ALTER TABLE "socialaccount_socialaccount" ADD CONSTRAINT "socialaccount_socialaccount_provider_uid_fc810c6e_uniq" UNIQUE ("provider", "uid");
ALTER TABLE "socialaccount_socialaccount" ADD CONSTRAINT "socialaccount_socialaccount_user_id_8146e70c_fk_auth_user_id" FOREIGN KEY ("user_id") REFERENCES "auth_user" ("id") DEFERRABLE INITIALLY DEFERRED;
CREATE INDEX "socialaccount_socialaccount_user_id_8146e70c" ON "socialaccount_socialaccount" ("user_id");
ALTER TABLE "socialaccount_socialapp_sites" ADD CONSTRAINT "socialaccount_socialapp__socialapp_id_site_id_71a9a768_uniq" UNIQUE ("socialapp_id", "site_id");
ALTER TABLE "socialaccount_socialapp_sites" ADD CONSTRAINT "socialaccount_social_socialapp_id_97fb6e7d_fk_socialacc" FOREIGN KEY ("socialapp_id") REFERENCES "socialaccount_socialapp" ("id") DEFERRABLE INITIALLY DEFERRED;
ALTER TABLE "socialaccount_socialapp_sites" ADD CONSTRAINT "socialaccount_social_site_id_2579dee5_fk_django_si" FOREIGN KEY ("site_id") REFERENCES "django_site" ("id") DEFERRABLE INITIALLY DEFERRED;
CREATE INDEX "socialaccount_socialapp_sites_socialapp_id_97fb6e7d" ON "socialaccount_socialapp_sites" ("socialapp_id");
CREATE INDEX "socialaccount_socialapp_sites_site_id_2579dee5" ON "socialaccount_socialapp_sites" ("site_id");
ALTER TABLE "socialaccount_socialtoken" ADD CONSTRAINT "socialaccount_social_account_id_951f210e_fk_socialacc" FOREIGN KEY ("account_id") REFERENCES "socialaccount_socialaccount" ("id") DEFERRABLE INITIALLY DEFERRED;
ALTER TABLE "socialaccount_socialtoken" ADD CONSTRAINT "socialaccount_social_app_id_636a42d7_fk_socialacc" FOREIGN KEY ("app_id") REFERENCES "socialaccount_socialapp" ("id") DEFERRABLE INITIALLY DEFERRED;
CREATE INDEX "socialaccount_socialtoken_account_id_951f210e" ON "socialaccount_socialtoken" ("account_id");
CREATE INDEX "socialaccount_socialtoken_app_id_636a42d7" ON "socialaccount_socialtoken" ("app_id");
ALTER TABLE "socialaccount_socialapp" ALTER COLUMN "client_id" TYPE varchar(191);
ALTER TABLE "socialaccount_socialapp" ALTER COLUMN "key" TYPE varchar(191);
ALTER TABLE "socialaccount_socialapp" ALTER COLUMN "secret" TYPE varchar(191);
