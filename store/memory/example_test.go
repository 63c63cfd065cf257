package memory_test

import (
	"context"
	"errors"
	"fmt"

	auth "github.com/djauth/auth"
	"github.com/djauth/auth/store/memory"
)

func ExampleNew() {
	ctx := context.Background()
	store := memory.New[auth.User]()

	// Create the permissions of Django's auth app, then a user and a group.
	if _, err := auth.Register(ctx, store, auth.AuthModels()...); err != nil {
		panic(err)
	}
	alice := auth.NewUser("alice")
	if err := store.CreateUser(ctx, &alice); err != nil {
		panic(err)
	}
	editors := auth.Group{Name: "editors"}
	if err := store.CreateGroup(ctx, &editors); err != nil {
		panic(err)
	}
	if err := store.AddGroupPermissions(ctx, editors.ID, "auth.change_user"); err != nil {
		panic(err)
	}
	if err := store.AddUserGroups(ctx, alice.ID, editors.ID); err != nil {
		panic(err)
	}
	if err := store.AddUserPermissions(ctx, alice.ID, "auth.view_user"); err != nil {
		panic(err)
	}

	// One call loads the user of a request with its permissions.
	u, perms, err := store.GetUserWithPermissions(ctx, alice.ID)
	if err != nil {
		panic(err)
	}
	fmt.Println(u.ID, u.Username)
	fmt.Println("direct:", perms.User.Sorted())
	fmt.Println("via groups:", perms.Group.Sorted())

	// Lookups that find nothing return sentinel errors.
	_, err = store.GetUserByUsername(ctx, "bob")
	fmt.Println(errors.Is(err, auth.ErrUserNotFound))
	// Output:
	// 1 alice
	// direct: [auth.view_user]
	// via groups: [auth.change_user]
	// true
}

// MyUser is an app's user type: Django's fields plus its own.
type MyUser struct {
	auth.User
	PhoneNumber string `db:"phone_number"`
	Teams       []string
}

func ExampleNew_customUser() {
	ctx := context.Background()
	store := memory.New[MyUser]()

	u := MyUser{User: auth.NewUser("bob"), PhoneNumber: "+1 555 0100", Teams: []string{"red"}}
	if err := store.CreateUser(ctx, &u); err != nil {
		panic(err)
	}
	// The store keeps its own copy: changing u afterwards changes nothing.
	u.Teams[0] = "blue"

	got, err := store.GetUserByUsernameFold(ctx, "BOB")
	if err != nil {
		panic(err)
	}
	fmt.Println(got.Username, got.PhoneNumber, got.Teams, got.FullName() == "")
	// Output: bob +1 555 0100 [red] true
}

func ExampleStore_UsersWithPermission() {
	ctx := context.Background()
	store := memory.New[auth.User]()
	if _, err := auth.Register(ctx, store, auth.ModelSpec{
		AppLabel: "reports",
		Model:    "Report",
		Custom:   []auth.PermissionSpec{{Codename: "publish_report", Name: "Can publish report"}},
	}); err != nil {
		panic(err)
	}
	for _, name := range []string{"ann", "ben", "root"} {
		u := auth.NewUser(name)
		u.IsSuperuser = name == "root"
		if err := store.CreateUser(ctx, &u); err != nil {
			panic(err)
		}
	}
	ann, _ := store.GetUserByUsername(ctx, "ann")
	if err := store.AddUserPermissions(ctx, ann.ID, "reports.publish_report"); err != nil {
		panic(err)
	}

	all, _ := store.UsersWithPermission(ctx, "reports.publish_report", auth.WithPermOptions{})
	granted, _ := store.UsersWithPermission(ctx, "reports.publish_report", auth.WithPermOptions{ExcludeSuperusers: true})
	names := func(us []*auth.User) []string {
		out := make([]string, len(us))
		for i, u := range us {
			out[i] = u.Username
		}
		return out
	}
	fmt.Println(names(all))
	fmt.Println(names(granted))
	// Output:
	// [ann root]
	// [ann]
}
