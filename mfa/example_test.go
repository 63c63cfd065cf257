package mfa_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"

	auth "github.com/djauth/auth"
	"github.com/djauth/auth/hashers"
	"github.com/djauth/auth/mfa"
	"github.com/djauth/auth/store/memory"
)

// fixedCode is a CodeFactor whose one device, of user 1, accepts one code;
// package mfa/totp is the real one.
type fixedCode struct{ code string }

func (fixedCode) Kind() string { return "totp" }

func (fixedCode) Devices(ctx context.Context, userID int64) ([]mfa.Device, error) {
	if userID != 1 {
		return nil, nil
	}
	return []mfa.Device{{Factor: "totp", ID: 1, UserID: 1, PersistentID: "otp_totp.totpdevice/1"}}, nil
}

func (f fixedCode) VerifyCode(ctx context.Context, userID int64, code string) (mfa.Device, error) {
	devs, _ := f.Devices(ctx, userID)
	if len(devs) == 0 {
		return mfa.Device{}, mfa.ErrNoDevice
	}
	if code != f.code {
		return mfa.Device{}, mfa.ErrInvalidCode
	}
	return devs[0], nil
}

// The two-step login: a right password leaves the session pending, and
// the code completes the login.
func ExampleFlow() {
	ctx := context.Background()
	store := memory.New[auth.User]()
	reg := hashers.New(hashers.MD5{})
	u := auth.NewUser("alice")
	u.Password, _ = reg.Make(ctx, "correct horse")
	_ = store.CreateUser(ctx, &u)

	totp := fixedCode{code: "123456"}
	policy := mfa.NewMemoryPolicyStore()
	_ = policy.SetPolicy(ctx, mfa.Policy{Superusers: true, Staff: true})

	flow, err := mfa.NewFlow[auth.User](mfa.FlowConfig{Factors: []mfa.Factor{totp}, Policy: policy})
	if err != nil {
		panic(err)
	}
	a, err := auth.New(auth.Config[auth.User]{Store: store, Hashers: reg, SecretKey: testSecret,
		SecondFactor: flow, Sessions: auth.SessionConfig{InsecureCookie: true}})
	if err != nil {
		panic(err)
	}
	defer a.Close()

	mux := http.NewServeMux()
	a.Routes(mux, "") // the login page; package accounts adds the challenge page
	mux.HandleFunc("/code/", func(w http.ResponseWriter, r *http.Request) {
		if _, err := flow.VerifyCode(r, "totp", r.FormValue("code")); err != nil {
			http.Error(w, err.Error(), http.StatusForbidden)
			return
		}
		fmt.Println("logged in as", a.User(r), "with", a.Sessions().GetString(r.Context(), mfa.DeviceSessionKey))
	})
	h := a.Middleware(mux)

	post := func(path string, form url.Values, cookie *http.Cookie) *http.Response {
		req := httptest.NewRequest(http.MethodPost, path, strings.NewReader(form.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		if cookie != nil {
			req.AddCookie(cookie)
		}
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		return rec.Result()
	}
	resp := post("/accounts/login/", url.Values{"username": {"alice"}, "password": {"correct horse"}}, nil)
	fmt.Println(resp.StatusCode, resp.Header.Get("Location"))
	post("/code/", url.Values{"code": {"123456"}}, resp.Cookies()[0])
	// Output:
	// 302 /accounts/mfa/challenge/
	// logged in as alice with otp_totp.totpdevice/1
}
