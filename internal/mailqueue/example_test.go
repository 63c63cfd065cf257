package mailqueue_test

import (
	"context"
	"fmt"

	"github.com/djauth/auth/internal/mailqueue"
)

// A queue of messages sent by one worker; Close waits for them.
func Example() {
	q := mailqueue.New(mailqueue.Config{Workers: 1}, func(ctx context.Context, to string) {
		fmt.Println("send to", to)
	})
	q.Enqueue("ann@example.com")
	q.Enqueue("bob@example.com")
	fmt.Println(q.Close())
	fmt.Println(q.Enqueue("cyd@example.com"))
	// Output:
	// send to ann@example.com
	// send to bob@example.com
	// <nil>
	// false
}
