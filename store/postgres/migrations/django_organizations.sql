-- django-organizations 2.1's organizations app, migrations 0001_initial to
-- 0006_alter_organization_slug, as "manage.py sqlmigrate organizations
-- 0001" ... "0006" print them on PostgreSQL with Django 3.2: serial ids (the
-- app's default_auto_field is AutoField), integer user ids referencing
-- auth_user. 0002, 0003, 0005 and 0006 alter only Python-side options
-- (editable, blank, related_name) and print no SQL.
CREATE TABLE "organizations_organization" ("id" serial NOT NULL PRIMARY KEY, "name" varchar(200) NOT NULL, "is_active" boolean NOT NULL, "created" timestamp with time zone NOT NULL, "modified" timestamp with time zone NOT NULL, "slug" varchar(200) NOT NULL UNIQUE);
CREATE TABLE "organizations_organizationowner" ("id" serial NOT NULL PRIMARY KEY, "created" timestamp with time zone NOT NULL, "modified" timestamp with time zone NOT NULL, "organization_id" integer NOT NULL UNIQUE);
CREATE TABLE "organizations_organizationuser" ("id" serial NOT NULL PRIMARY KEY, "created" timestamp with time zone NOT NULL, "modified" timestamp with time zone NOT NULL, "is_admin" boolean NOT NULL, "organization_id" integer NOT NULL, "user_id" integer NOT NULL);
ALTER TABLE "organizations_organizationowner" ADD COLUMN "organization_user_id" integer NOT NULL UNIQUE CONSTRAINT "organizations_organi_organization_user_id_c9c76850_fk_organizat" REFERENCES "organizations_organizationuser"("id") DEFERRABLE INITIALLY DEFERRED; SET CONSTRAINTS "organizations_organi_organization_user_id_c9c76850_fk_organizat" IMMEDIATE;
ALTER TABLE "organizations_organizationuser" ADD CONSTRAINT "organizations_organizati_user_id_organization_id_dd2bc761_uniq" UNIQUE ("user_id", "organization_id");
CREATE INDEX "organizations_organization_slug_e36fd8f9_like" ON "organizations_organization" ("slug" varchar_pattern_ops);
ALTER TABLE "organizations_organizationowner" ADD CONSTRAINT "organizations_organi_organization_id_7e98f9c0_fk_organizat" FOREIGN KEY ("organization_id") REFERENCES "organizations_organization" ("id") DEFERRABLE INITIALLY DEFERRED;
ALTER TABLE "organizations_organizationuser" ADD CONSTRAINT "organizations_organi_organization_id_5376c939_fk_organizat" FOREIGN KEY ("organization_id") REFERENCES "organizations_organization" ("id") DEFERRABLE INITIALLY DEFERRED;
ALTER TABLE "organizations_organizationuser" ADD CONSTRAINT "organizations_organizationuser_user_id_6c888ebd_fk_auth_user_id" FOREIGN KEY ("user_id") REFERENCES "auth_user" ("id") DEFERRABLE INITIALLY DEFERRED;
CREATE INDEX "organizations_organizationuser_organization_id_5376c939" ON "organizations_organizationuser" ("organization_id");
CREATE INDEX "organizations_organizationuser_user_id_6c888ebd" ON "organizations_organizationuser" ("user_id");
CREATE TABLE "organizations_organizationinvitation" ("id" serial NOT NULL PRIMARY KEY, "guid" uuid NOT NULL, "invitee_identifier" varchar(1000) NOT NULL, "created" timestamp with time zone NOT NULL, "modified" timestamp with time zone NOT NULL, "invited_by_id" integer NOT NULL, "invitee_id" integer NULL, "organization_id" integer NOT NULL);
ALTER TABLE "organizations_organizationinvitation" ADD CONSTRAINT "organizations_organi_invited_by_id_ce048629_fk_auth_user" FOREIGN KEY ("invited_by_id") REFERENCES "auth_user" ("id") DEFERRABLE INITIALLY DEFERRED;
ALTER TABLE "organizations_organizationinvitation" ADD CONSTRAINT "organizations_organi_invitee_id_9264ee07_fk_auth_user" FOREIGN KEY ("invitee_id") REFERENCES "auth_user" ("id") DEFERRABLE INITIALLY DEFERRED;
ALTER TABLE "organizations_organizationinvitation" ADD CONSTRAINT "organizations_organi_organization_id_cec602af_fk_organizat" FOREIGN KEY ("organization_id") REFERENCES "organizations_organization" ("id") DEFERRABLE INITIALLY DEFERRED;
CREATE INDEX "organizations_organizationinvitation_invited_by_id_ce048629" ON "organizations_organizationinvitation" ("invited_by_id");
CREATE INDEX "organizations_organizationinvitation_invitee_id_9264ee07" ON "organizations_organizationinvitation" ("invitee_id");
CREATE INDEX "organizations_organizationinvitation_organization_id_cec602af" ON "organizations_organizationinvitation" ("organization_id");
