package throttle_test

import (
	"context"
	"fmt"
	"net/http/httptest"

	"github.com/djauth/auth/throttle"
)

func Example() {
	limiter, err := throttle.New(throttle.Config{Store: throttle.NewMemoryStore()})
	if err != nil {
		panic(err)
	}
	ctx := context.Background()
	r := httptest.NewRequest("POST", "/accounts/login/", nil)
	r.RemoteAddr = "203.0.113.5:4711"
	for i := 1; i <= 5; i++ {
		wait, locked, _ := limiter.Fail(ctx, r, throttle.ScopeLogin, "alice")
		fmt.Printf("failure %d: next attempt in %v (locked %v)\n", i, wait, locked)
	}
	// Output:
	// failure 1: next attempt in 0s (locked false)
	// failure 2: next attempt in 0s (locked false)
	// failure 3: next attempt in 0s (locked false)
	// failure 4: next attempt in 1s (locked false)
	// failure 5: next attempt in 2s (locked false)
}

func ExampleClientAddr() {
	proxies, _ := throttle.ParseTrustedProxies("10.0.0.0/8")
	r := httptest.NewRequest("POST", "/accounts/login/", nil)
	r.RemoteAddr = "10.0.0.2:80"                             // the load balancer
	r.Header.Set("X-Forwarded-For", "6.6.6.6, 198.51.100.4") // 6.6.6.6 was made up by the client
	fmt.Println(throttle.ClientAddr(r, proxies), throttle.ClientAddr(r, nil))
	// Output: 198.51.100.4 10.0.0.2
}
