package main

import (
	"context"
	"fmt"
	"os"
)

// The demonstration on the in-memory store, as go run ./examples/customuser
// prints it.
func Example() {
	if err := run(context.Background(), "", os.Stdout); err != nil {
		fmt.Println(err)
	}
	// Output:
	// created carol (phone "+1 555 0100")
	// created dave (phone "")
	// read    carol: Carol Jones, phone "+44 20 7946 0000"
	// users matching "a":
	//   carol  Carol Jones  +44 20 7946 0000
	//   dave   Dave Smith   (none)
	// granted reports.view_report to carol
	// carol has reports.view_report: true (permissions: [reports.view_report])
	// dave has reports.view_report: false (permissions: [])
}
