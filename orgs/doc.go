// Package orgs is organizations (multi-tenancy) with roles for djauth,
// in the tables of django-organizations.
package orgs
