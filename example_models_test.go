package auth_test

import (
	"context"
	"errors"
	"fmt"

	auth "github.com/djauth/auth"
	"github.com/djauth/auth/store/memory"
)

func ExampleNewUser() {
	u := auth.NewUser("ﬁona") // the "ﬁ" ligature is normalized to "fi"
	u.FirstName, u.LastName = "Fiona", "Gallagher"
	u.Email = auth.NormalizeEmail("Fiona@EXAMPLE.com")
	fmt.Println(u.Username, u.IsActive, u.FullName(), u.Email)
	fmt.Println(u.Validate())
	// Output:
	// fiona true Fiona Gallagher Fiona@example.com
	// <nil>
}

func ExampleUser_embedding() {
	type MyUser struct {
		auth.User
		PhoneNumber string `db:"phone_number"`
	}
	u := MyUser{User: auth.NewUser("bob"), PhoneNumber: "+1 555 0100"}
	// The Django fields are promoted, and AuthUser reaches them
	// generically.
	fmt.Println(u.Username, u.AuthUser().Username, u.PhoneNumber)
	// Output: bob bob +1 555 0100
}

func ExampleUser_Validate() {
	u := auth.NewUser("")
	err := u.Validate()
	var ve *auth.ValidationError
	fmt.Println(errors.Is(err, auth.ErrInvalid), errors.As(err, &ve), ve.Field, ve.Code)
	// Output: true true Username required
}

func ExampleNormalizeUsername() {
	fmt.Println(auth.NormalizeUsername("ａｄｍｉｎ"), auth.NormalizeUsername("iamthe\u2126") == "iamthe\u03a9")
	// Output: admin true
}

func ExampleNormalizeEmail() {
	fmt.Println(auth.NormalizeEmail("normal@DOMAIN.COM"))
	fmt.Println(auth.NormalizeEmail("email.with.multiple@at.symbols@DOMAIN.COM"))
	fmt.Println(auth.NormalizeEmail("email with no domain"))
	// Output:
	// normal@domain.com
	// email.with.multiple@at.symbols@domain.com
	// email with no domain
}

func ExampleUsernameValidator() {
	for _, name := range []string{"René", "o'connell", "trailingnewline\n"} {
		fmt.Printf("%q unicode:%v ascii:%v\n", name,
			auth.UsernameValidator{}.Validate(name) == nil,
			auth.UsernameValidator{ASCII: true}.Validate(name) == nil)
	}
	// Output:
	// "René" unicode:true ascii:false
	// "o'connell" unicode:false ascii:false
	// "trailingnewline\n" unicode:false ascii:false
}

func ExampleParsePermission() {
	app, codename, err := auth.ParsePermission("reports.publish_report")
	fmt.Println(app, codename, err)
	_, _, err = auth.ParsePermission("publish_report")
	fmt.Println(errors.Is(err, auth.ErrInvalid))
	// Output:
	// reports publish_report <nil>
	// true
}

func ExamplePermSet() {
	perms := auth.NewPermSet("auth.view_user", "reports.publish_report")
	fmt.Println(perms.Has("auth.view_user"), perms.Has("auth.add_user"))
	fmt.Println(perms.HasModule("reports"), perms.HasModule("blog"))
	all := perms.Union(auth.NewPermSet("blog.add_post"))
	fmt.Println(all.Sorted())
	// Output:
	// true false
	// true false
	// [auth.view_user blog.add_post reports.publish_report]
}

func ExampleModelSpec_Permissions() {
	spec := auth.ModelSpec{
		AppLabel: "reports",
		Model:    "AuditEntry",
		Custom:   []auth.PermissionSpec{{Codename: "purge_auditentry", Name: "Can purge audit entries"}},
	}
	perms, err := spec.Permissions()
	if err != nil {
		panic(err)
	}
	for _, p := range perms {
		fmt.Printf("%s: %s\n", p.Key(), p.Name)
	}
	// Output:
	// reports.add_auditentry: Can add audit entry
	// reports.change_auditentry: Can change audit entry
	// reports.delete_auditentry: Can delete audit entry
	// reports.view_auditentry: Can view audit entry
	// reports.purge_auditentry: Can purge audit entries
}

func ExampleRegister() {
	ctx := context.Background()
	store := memory.New[auth.User]()
	models := append(auth.AuthModels(), auth.ModelSpec{
		AppLabel: "reports",
		Model:    "Report",
		Custom:   []auth.PermissionSpec{{Codename: "publish_report", Name: "Can publish report"}},
	})
	perms, err := auth.Register(ctx, store, models...)
	if err != nil {
		panic(err)
	}
	// Registering again is a no-op that returns the same rows.
	again, err := auth.Register(ctx, store, models...)
	if err != nil {
		panic(err)
	}
	p, err := store.GetPermission(ctx, "reports.publish_report")
	if err != nil {
		panic(err)
	}
	fmt.Println(len(perms), len(again), perms[0].ID == again[0].ID)
	fmt.Println(p)
	// Output:
	// 21 21 true
	// reports | report | Can publish report
}
