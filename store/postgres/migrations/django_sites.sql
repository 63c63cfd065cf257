-- django.contrib.sites 0001_initial and 0002_alter_domain_unique (Django
-- 3.2), as "manage.py sqlmigrate sites 0001" and "0002" print them on
-- PostgreSQL, then the default site that Django's post_migrate handler
-- (create_default_site) adds to an empty table: SITE_ID 1, example.com.
CREATE TABLE "django_site" ("id" serial NOT NULL PRIMARY KEY, "domain" varchar(100) NOT NULL, "name" varchar(50) NOT NULL);
ALTER TABLE "django_site" ADD CONSTRAINT "django_site_domain_a2e37b91_uniq" UNIQUE ("domain");
CREATE INDEX "django_site_domain_a2e37b91_like" ON "django_site" ("domain" varchar_pattern_ops);
INSERT INTO "django_site" ("domain", "name") VALUES ('example.com', 'example.com');
