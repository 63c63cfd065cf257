package audit_test

import (
	"context"
	"fmt"
	"time"

	"github.com/djauth/auth/audit"
)

func ExampleMemoryStore() {
	ctx := context.Background()
	store := &audit.MemoryStore{}
	at := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	_, _ = store.Record(ctx, audit.Entry{Time: at, Action: audit.ActionLoginFailed, ActorName: "alice"})
	_, _ = store.Record(ctx, audit.Entry{Time: at.Add(time.Minute), Action: audit.ActionLogin, ActorID: 7, ActorName: "alice", TargetUserID: 7})
	entries, total, _ := store.List(ctx, audit.Query{Action: audit.ActionLogin})
	fmt.Println(total, entries[0].Action, entries[0].ActorName, entries[0].Time.Format(time.RFC3339))
	// Output: 1 login alice 2026-01-02T03:05:05Z
}
