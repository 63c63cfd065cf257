package auth

// Group is a row of auth_group: a named set of users that share the
// permissions granted to the group.
type Group struct {
	ID   int64  `db:"id"`
	Name string `db:"name"`
}

// Validate checks that the name is non-empty and at most 150 characters.
func (g *Group) Validate() error {
	return checkText("Name", g.Name, MaxGroupNameLength, true)
}
