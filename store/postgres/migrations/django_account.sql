-- allauth.account 0001_initial and 0002_email_max_length (django-allauth
-- 0.51), as "manage.py sqlmigrate account 0001" and "... 0002" print them
-- on PostgreSQL with Django 3.2 and allauth's defaults: serial ids (the
-- migration names AutoField itself), an integer user_id referencing
-- auth_user, and "email" UNIQUE because ACCOUNT_UNIQUE_EMAIL defaults to
-- True (with it False allauth makes (user_id, email) unique instead). The
-- unique constraint compares exactly; allauth and EmailStore also refuse
-- another spelling of a taken address (iexact). 0002 widens email to 254.
CREATE TABLE "account_emailaddress" ("id" serial NOT NULL PRIMARY KEY, "email" varchar(75) NOT NULL UNIQUE, "verified" boolean NOT NULL, "primary" boolean NOT NULL, "user_id" integer NOT NULL);
CREATE TABLE "account_emailconfirmation" ("id" serial NOT NULL PRIMARY KEY, "created" timestamp with time zone NOT NULL, "sent" timestamp with time zone NULL, "key" varchar(64) NOT NULL UNIQUE, "email_address_id" integer NOT NULL);
ALTER TABLE "account_emailaddress" ADD CONSTRAINT "account_emailaddress_user_id_2c513194_fk_auth_user_id" FOREIGN KEY ("user_id") REFERENCES "auth_user" ("id") DEFERRABLE INITIALLY DEFERRED;
CREATE INDEX "account_emailaddress_email_03be32b2_like" ON "account_emailaddress" ("email" varchar_pattern_ops);
CREATE INDEX "account_emailaddress_user_id_2c513194" ON "account_emailaddress" ("user_id");
ALTER TABLE "account_emailconfirmation" ADD CONSTRAINT "account_emailconfirm_email_address_id_5b7f8c58_fk_account_e" FOREIGN KEY ("email_address_id") REFERENCES "account_emailaddress" ("id") DEFERRABLE INITIALLY DEFERRED;
CREATE INDEX "account_emailconfirmation_key_f43612bd_like" ON "account_emailconfirmation" ("key" varchar_pattern_ops);
CREATE INDEX "account_emailconfirmation_email_address_id_5b7f8c58" ON "account_emailconfirmation" ("email_address_id");
ALTER TABLE "account_emailaddress" ALTER COLUMN "email" TYPE varchar(254);
