package dashboard

import (
	"context"
	"net/http"
	"strconv"
	"strings"

	"github.com/djauth/auth/audit"
)

// The audit actions of the dashboard's group and organization changes;
// user changes use package audit's ActionUserCreated, ActionUserChanged
// and ActionUserDeleted, with the dashboard's own Action in the entry's
// Meta["dashboard_action"].
const (
	AuditGroupCreated audit.Action = "group_created"
	AuditGroupChanged audit.Action = "group_changed"
	AuditGroupDeleted audit.Action = "group_deleted"
	AuditOrgChanged   audit.Action = "org_changed"
	AuditOrgDeleted   audit.Action = "org_deleted"
)

// AuditRecorder writes one entry; *audit.Recorder implements it (it
// fills the client address and agent from the request, and logs rather
// than returns a failure).
type AuditRecorder interface {
	Record(ctx context.Context, r *http.Request, e audit.Entry)
}

// SubscribeAudit connects rec to the dashboard's signals, so that every
// change made through the dashboard is in the audit log: the staff
// member as actor, the changed user as target, and what changed. It
// returns a function that disconnects them.
//
//	rec, _ := audit.NewRecorder(a, store, audit.RecorderConfig{})
//	defer d.SubscribeAudit(rec)()
func (d *Dashboard[U]) SubscribeAudit(rec AuditRecorder) (unsubscribe func()) {
	s := &d.signals
	offs := []func(){
		s.UserChanged.Connect(func(ctx context.Context, ev UserChanged) {
			action := audit.ActionUserChanged
			switch ev.Action {
			case ActionAdded:
				action = audit.ActionUserCreated
			case ActionDeleted:
				action = audit.ActionUserDeleted
			}
			msg := string(ev.Action)
			if len(ev.Fields) > 0 {
				msg += ": " + strings.Join(ev.Fields, ", ")
			}
			meta := map[string]string{"dashboard_action": string(ev.Action)}
			if ev.Object != "" {
				meta["object"] = ev.Object
			}
			rec.Record(ctx, ev.Request, audit.Entry{Action: action, ActorID: ev.Actor.ID, ActorName: ev.Actor.Username,
				TargetUserID: ev.Target.ID,
				Object:       audit.Object{Type: "auth.user", ID: strconv.FormatInt(ev.Target.ID, 10), Repr: ev.Target.Username},
				Message:      msg, Meta: meta})
		}),
		s.GroupChanged.Connect(func(ctx context.Context, ev GroupChanged) {
			action := AuditGroupChanged
			switch ev.Action {
			case ActionAdded:
				action = AuditGroupCreated
			case ActionDeleted:
				action = AuditGroupDeleted
			}
			msg := string(ev.Action)
			if len(ev.Fields) > 0 {
				msg += ": " + strings.Join(ev.Fields, ", ")
			}
			rec.Record(ctx, ev.Request, audit.Entry{Action: action, ActorID: ev.Actor.ID, ActorName: ev.Actor.Username,
				Object:  audit.Object{Type: "auth.group", ID: strconv.FormatInt(ev.Group.ID, 10), Repr: ev.Group.Name},
				Message: msg})
		}),
		s.OrgChanged.Connect(func(ctx context.Context, ev OrgChanged) {
			action := AuditOrgChanged
			if ev.Action == ActionDeleted {
				action = AuditOrgDeleted
			}
			msg := string(ev.Action)
			if len(ev.Fields) > 0 {
				msg += ": " + strings.Join(ev.Fields, ", ")
			}
			if ev.Action == ActionChanged && !ev.Org.IsActive {
				msg = "deactivated"
			} else if ev.Action == ActionChanged {
				msg = "activated"
			}
			meta := map[string]string{"dashboard_action": string(ev.Action)}
			if ev.Object != "" {
				meta["object"] = ev.Object
			}
			rec.Record(ctx, ev.Request, audit.Entry{Action: action, ActorID: ev.Actor.ID, ActorName: ev.Actor.Username,
				TargetUserID: ev.UserID,
				Object:       audit.Object{Type: "organizations.organization", ID: strconv.FormatInt(ev.Org.ID, 10), Repr: ev.Org.Name},
				Message:      msg, Meta: meta})
		}),
	}
	return func() {
		for _, off := range offs {
			off()
		}
	}
}
