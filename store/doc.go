// Package store is the home of the auth.Store implementations and of the
// suite that holds them to one contract. It has no code of its own.
//
// # Implementations
//
//   - store/memory keeps everything in process memory: no setup, safe for
//     concurrent use, gone when the process exits. Use it in tests,
//     examples and tools.
//   - store/postgres uses Django's own schema (auth_user, auth_group,
//     auth_permission, django_content_type and the join tables), so a Go
//     service and a Django project can share a live database.
//
// Both are generic over the user type: auth.User, or an app's struct that
// embeds auth.User by value and adds fields.
//
// # The contract
//
// auth.Store (store.go in the root package) describes the behaviour in
// prose; store/storetest is its executable form. Every implementation runs
// storetest.Run for auth.User and storetest.RunCustom for a custom user
// type, so a behaviour is specified once and cannot drift between stores.
// A new store is ready when both pass under go test -race.
package store
