-- What package orgs keeps beside django-organizations' tables, which have
-- no roles, no expiry and no single-use tokens.
--
-- A role is an auth_group (Django sees a plain group with its
-- auth_group_permissions) owned by one organization; its group name is
-- derived from the organization and unique across the site, the role's own
-- name is unique within the organization. Who holds a role is kept per
-- membership here, never in auth_user_groups, where Django would grant the
-- role's permissions in every organization and outside them.
--
-- Every table carries organization_id, and the composite foreign keys tie
-- a member's or an invitation's roles to roles of the same organization.
-- Django's own foreign keys cascade in Python only; these cascade in the
-- database, so that rows Django deletes take djauth's with them (an
-- organization Django deletes leaves its role groups behind as plain
-- groups).
CREATE TABLE "djauth_org_role" (
    "group_id" integer NOT NULL PRIMARY KEY REFERENCES "auth_group" ("id") ON DELETE CASCADE,
    "organization_id" integer NOT NULL REFERENCES "organizations_organization" ("id") ON DELETE CASCADE,
    "name" varchar(150) NOT NULL CHECK ("name" <> ''),
    CONSTRAINT "djauth_org_role_organization_id_name_uniq" UNIQUE ("organization_id", "name"),
    CONSTRAINT "djauth_org_role_organization_id_group_id_uniq" UNIQUE ("organization_id", "group_id")
);
CREATE TABLE "djauth_org_member_role" (
    "organization_user_id" integer NOT NULL REFERENCES "organizations_organizationuser" ("id") ON DELETE CASCADE,
    "role_id" integer NOT NULL,
    "organization_id" integer NOT NULL,
    PRIMARY KEY ("organization_user_id", "role_id"),
    FOREIGN KEY ("organization_id", "role_id")
        REFERENCES "djauth_org_role" ("organization_id", "group_id") ON DELETE CASCADE
);
CREATE INDEX "djauth_org_member_role_org_role_idx" ON "djauth_org_member_role" ("organization_id", "role_id");
-- One row per invitation made by djauth: SHA-256 of the link's token (the
-- token is never stored), expiry, single use, and what acceptance grants.
CREATE TABLE "djauth_org_invitation" (
    "invitation_id" integer NOT NULL PRIMARY KEY
        REFERENCES "organizations_organizationinvitation" ("id") ON DELETE CASCADE,
    "organization_id" integer NOT NULL REFERENCES "organizations_organization" ("id") ON DELETE CASCADE,
    "token_hash" bytea NOT NULL CHECK (octet_length("token_hash") BETWEEN 1 AND 64),
    "expires_at" timestamp with time zone NOT NULL,
    "accepted_at" timestamp with time zone NULL,
    "is_admin" boolean NOT NULL,
    CONSTRAINT "djauth_org_invitation_token_hash_uniq" UNIQUE ("token_hash"),
    CONSTRAINT "djauth_org_invitation_organization_id_invitation_id_uniq" UNIQUE ("organization_id", "invitation_id")
);
CREATE TABLE "djauth_org_invitation_role" (
    "invitation_id" integer NOT NULL,
    "role_id" integer NOT NULL,
    "organization_id" integer NOT NULL,
    PRIMARY KEY ("invitation_id", "role_id"),
    FOREIGN KEY ("organization_id", "invitation_id")
        REFERENCES "djauth_org_invitation" ("organization_id", "invitation_id") ON DELETE CASCADE,
    FOREIGN KEY ("organization_id", "role_id")
        REFERENCES "djauth_org_role" ("organization_id", "group_id") ON DELETE CASCADE
);
CREATE INDEX "djauth_org_invitation_role_org_role_idx" ON "djauth_org_invitation_role" ("organization_id", "role_id");
