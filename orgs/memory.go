package orgs

import (
	"cmp"
	"context"
	"crypto/rand"
	"crypto/subtle"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"
)

// MemoryStore is a Store in memory, for tests and development. Its zero
// value is not usable; call NewMemoryStore. SetRolePermissions accepts only
// the permissions made known with AddPermissions, as the PostgreSQL store
// accepts only rows of auth_permission.
type MemoryStore struct {
	mu     sync.Mutex
	now    func() time.Time
	nextID int64

	orgs        map[int64]*Organization
	members     map[memberKey]*Member
	roles       map[int64]*Role
	rolePerms   map[int64]map[string]struct{}
	assigned    map[memberKey]map[int64]struct{} // member → role IDs
	invitations map[int64]*Invitation
	perms       map[string]struct{}
}

type memberKey struct{ org, user int64 }

// NewMemoryStore returns an empty MemoryStore.
func NewMemoryStore() *MemoryStore {
	return &MemoryStore{
		now:         time.Now,
		orgs:        map[int64]*Organization{},
		members:     map[memberKey]*Member{},
		roles:       map[int64]*Role{},
		rolePerms:   map[int64]map[string]struct{}{},
		assigned:    map[memberKey]map[int64]struct{}{},
		invitations: map[int64]*Invitation{},
		perms:       map[string]struct{}{},
	}
}

// AddPermissions makes perms ("app_label.codename") known, so that roles
// can be given them.
func (s *MemoryStore) AddPermissions(perms ...string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, p := range perms {
		s.perms[p] = struct{}{}
	}
}

var _ Store = (*MemoryStore)(nil)

func (s *MemoryStore) id() int64 { s.nextID++; return s.nextID }

func (s *MemoryStore) stamp() time.Time { return s.now().UTC().Truncate(time.Microsecond) }

func (s *MemoryStore) slugTaken(slug string, except int64) bool {
	for _, o := range s.orgs {
		if o.Slug == slug && o.ID != except {
			return true
		}
	}
	return false
}

// CreateOrganization implements Store.
func (s *MemoryStore) CreateOrganization(_ context.Context, org Organization, ownerID int64) (Organization, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.slugTaken(org.Slug, 0) {
		return Organization{}, fmt.Errorf("orgs: create organization %q: %w", org.Slug, ErrSlugTaken)
	}
	now := s.stamp()
	org.ID, org.Created, org.Modified = s.id(), now, now
	o := org
	s.orgs[org.ID] = &o
	s.members[memberKey{org.ID, ownerID}] = &Member{ID: s.id(), OrgID: org.ID, UserID: ownerID, IsAdmin: true, IsOwner: true, Created: now, Modified: now}
	return org, nil
}

// Organization implements Store.
func (s *MemoryStore) Organization(_ context.Context, id int64) (Organization, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	o, ok := s.orgs[id]
	if !ok {
		return Organization{}, fmt.Errorf("orgs: organization %d: %w", id, ErrNotFound)
	}
	return *o, nil
}

// OrganizationBySlug implements Store.
func (s *MemoryStore) OrganizationBySlug(_ context.Context, slug string) (Organization, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, o := range s.orgs {
		if o.Slug == slug {
			return *o, nil
		}
	}
	return Organization{}, fmt.Errorf("orgs: organization %q: %w", slug, ErrNotFound)
}

// UpdateOrganization implements Store.
func (s *MemoryStore) UpdateOrganization(_ context.Context, org Organization) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	o, ok := s.orgs[org.ID]
	if !ok {
		return fmt.Errorf("orgs: update organization %d: %w", org.ID, ErrNotFound)
	}
	if s.slugTaken(org.Slug, org.ID) {
		return fmt.Errorf("orgs: update organization %d: %w", org.ID, ErrSlugTaken)
	}
	o.Name, o.Slug, o.IsActive, o.Modified = org.Name, org.Slug, org.IsActive, s.stamp()
	return nil
}

// DeleteOrganization implements Store.
func (s *MemoryStore) DeleteOrganization(_ context.Context, id int64) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.orgs[id]; !ok {
		return fmt.Errorf("orgs: delete organization %d: %w", id, ErrNotFound)
	}
	delete(s.orgs, id)
	for k := range s.members {
		if k.org == id {
			delete(s.members, k)
			delete(s.assigned, k)
		}
	}
	for rid, r := range s.roles {
		if r.OrgID == id {
			delete(s.roles, rid)
			delete(s.rolePerms, rid)
		}
	}
	for iid, inv := range s.invitations {
		if inv.OrgID == id {
			delete(s.invitations, iid)
		}
	}
	return nil
}

func byName(a, b Organization) int {
	return cmp.Or(cmp.Compare(a.Name, b.Name), cmp.Compare(a.ID, b.ID))
}

// ListOrganizations implements Store.
func (s *MemoryStore) ListOrganizations(_ context.Context, o ListOptions) ([]Organization, int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	q := strings.ToLower(o.Search)
	var all []Organization
	for _, org := range s.orgs {
		if q == "" || strings.Contains(strings.ToLower(org.Name), q) || strings.Contains(strings.ToLower(org.Slug), q) {
			all = append(all, *org)
		}
	}
	slices.SortFunc(all, byName)
	n := len(all)
	page := all[min(max(o.Offset, 0), n):]
	if o.Limit > 0 && len(page) > o.Limit {
		page = page[:o.Limit]
	}
	return append([]Organization{}, page...), n, nil
}

func (s *MemoryStore) member(orgID, userID int64) (*Member, error) {
	m, ok := s.members[memberKey{orgID, userID}]
	if !ok {
		return nil, fmt.Errorf("orgs: user %d in organization %d: %w", userID, orgID, ErrNotMember)
	}
	return m, nil
}

// Membership implements Store.
func (s *MemoryStore) Membership(_ context.Context, orgID, userID int64) (Member, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	m, err := s.member(orgID, userID)
	if err != nil {
		return Member{}, err
	}
	return *m, nil
}

// UserOrganizations implements Store.
func (s *MemoryStore) UserOrganizations(_ context.Context, userID int64) ([]Organization, []Member, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var os []Organization
	for k := range s.members {
		if k.user == userID {
			os = append(os, *s.orgs[k.org])
		}
	}
	slices.SortFunc(os, byName)
	ms := make([]Member, len(os))
	for i, o := range os {
		ms[i] = *s.members[memberKey{o.ID, userID}]
	}
	return os, ms, nil
}

func (s *MemoryStore) org(id int64) error {
	if _, ok := s.orgs[id]; !ok {
		return fmt.Errorf("orgs: organization %d: %w", id, ErrNotFound)
	}
	return nil
}

// Members implements Store.
func (s *MemoryStore) Members(_ context.Context, orgID int64) ([]Member, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.org(orgID); err != nil {
		return nil, err
	}
	ms := []Member{}
	for k, m := range s.members {
		if k.org == orgID {
			ms = append(ms, *m)
		}
	}
	slices.SortFunc(ms, func(a, b Member) int { return cmp.Compare(a.UserID, b.UserID) })
	return ms, nil
}

// AddMember implements Store.
func (s *MemoryStore) AddMember(_ context.Context, orgID, userID int64, isAdmin bool) (Member, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.addMember(orgID, userID, isAdmin)
}

func (s *MemoryStore) addMember(orgID, userID int64, isAdmin bool) (Member, error) {
	if err := s.org(orgID); err != nil {
		return Member{}, err
	}
	k := memberKey{orgID, userID}
	if _, ok := s.members[k]; ok {
		return Member{}, fmt.Errorf("orgs: add user %d to organization %d: %w", userID, orgID, ErrAlreadyMember)
	}
	now := s.stamp()
	m := &Member{ID: s.id(), OrgID: orgID, UserID: userID, IsAdmin: isAdmin, Created: now, Modified: now}
	s.members[k] = m
	return *m, nil
}

// SetAdmin implements Store.
func (s *MemoryStore) SetAdmin(_ context.Context, orgID, userID int64, isAdmin bool) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	m, err := s.member(orgID, userID)
	if err != nil {
		return err
	}
	if m.IsOwner && !isAdmin {
		return fmt.Errorf("orgs: demote user %d of organization %d: %w", userID, orgID, ErrOwnerRequired)
	}
	m.IsAdmin, m.Modified = isAdmin, s.stamp()
	return nil
}

// RemoveMember implements Store.
func (s *MemoryStore) RemoveMember(_ context.Context, orgID, userID int64) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	m, err := s.member(orgID, userID)
	if err != nil {
		return err
	}
	if m.IsOwner {
		return fmt.Errorf("orgs: remove user %d from organization %d: %w", userID, orgID, ErrOwnerRequired)
	}
	k := memberKey{orgID, userID}
	delete(s.members, k)
	delete(s.assigned, k)
	return nil
}

// TransferOwnership implements Store.
func (s *MemoryStore) TransferOwnership(_ context.Context, orgID, userID int64) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	m, err := s.member(orgID, userID)
	if err != nil {
		return err
	}
	now := s.stamp()
	for k, o := range s.members {
		if k.org == orgID && o.IsOwner && o != m {
			o.IsOwner, o.Modified = false, now
		}
	}
	m.IsOwner, m.IsAdmin, m.Modified = true, true, now
	return nil
}

func (s *MemoryStore) role(orgID, roleID int64) (*Role, error) {
	r, ok := s.roles[roleID]
	if !ok || r.OrgID != orgID {
		return nil, fmt.Errorf("orgs: role %d of organization %d: %w", roleID, orgID, ErrNotFound)
	}
	return r, nil
}

// CreateRole implements Store.
func (s *MemoryStore) CreateRole(_ context.Context, orgID int64, name string) (Role, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.org(orgID); err != nil {
		return Role{}, err
	}
	for _, r := range s.roles {
		if r.OrgID == orgID && r.Name == name {
			return Role{}, fmt.Errorf("orgs: create role %q in organization %d: %w", name, orgID, ErrRoleNameTaken)
		}
	}
	id := s.id()
	r := &Role{ID: id, OrgID: orgID, Name: name, GroupName: fmt.Sprintf("org:%d:%d", orgID, id)}
	s.roles[id] = r
	return *r, nil
}

func roleOrder(a, b Role) int { return cmp.Or(cmp.Compare(a.Name, b.Name), cmp.Compare(a.ID, b.ID)) }

// Roles implements Store.
func (s *MemoryStore) Roles(_ context.Context, orgID int64) ([]Role, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.org(orgID); err != nil {
		return nil, err
	}
	rs := []Role{}
	for _, r := range s.roles {
		if r.OrgID == orgID {
			rs = append(rs, *r)
		}
	}
	slices.SortFunc(rs, roleOrder)
	return rs, nil
}

// DeleteRole implements Store.
func (s *MemoryStore) DeleteRole(_ context.Context, orgID, roleID int64) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, err := s.role(orgID, roleID); err != nil {
		return err
	}
	delete(s.roles, roleID)
	delete(s.rolePerms, roleID)
	for _, rs := range s.assigned {
		delete(rs, roleID)
	}
	for _, inv := range s.invitations {
		inv.RoleIDs = slices.DeleteFunc(inv.RoleIDs, func(id int64) bool { return id == roleID })
	}
	return nil
}

// SetRolePermissions implements Store.
func (s *MemoryStore) SetRolePermissions(_ context.Context, orgID, roleID int64, perms []string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, err := s.role(orgID, roleID); err != nil {
		return err
	}
	set := map[string]struct{}{}
	for _, p := range perms {
		if _, ok := s.perms[p]; !ok {
			return fmt.Errorf("orgs: permission %q: %w", p, ErrNotFound)
		}
		set[p] = struct{}{}
	}
	s.rolePerms[roleID] = set
	return nil
}

func sortedKeys(m map[string]struct{}) []string {
	ks := make([]string, 0, len(m))
	for k := range m {
		ks = append(ks, k)
	}
	slices.Sort(ks)
	return ks
}

// RolePermissions implements Store.
func (s *MemoryStore) RolePermissions(_ context.Context, orgID, roleID int64) ([]string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, err := s.role(orgID, roleID); err != nil {
		return nil, err
	}
	return sortedKeys(s.rolePerms[roleID]), nil
}

// AssignRole implements Store.
func (s *MemoryStore) AssignRole(_ context.Context, orgID, userID, roleID int64) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, err := s.role(orgID, roleID); err != nil {
		return err
	}
	if _, err := s.member(orgID, userID); err != nil {
		return err
	}
	s.assign(orgID, userID, roleID)
	return nil
}

func (s *MemoryStore) assign(orgID, userID, roleID int64) {
	k := memberKey{orgID, userID}
	if s.assigned[k] == nil {
		s.assigned[k] = map[int64]struct{}{}
	}
	s.assigned[k][roleID] = struct{}{}
}

// UnassignRole implements Store.
func (s *MemoryStore) UnassignRole(_ context.Context, orgID, userID, roleID int64) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, err := s.role(orgID, roleID); err != nil {
		return err
	}
	if _, err := s.member(orgID, userID); err != nil {
		return err
	}
	delete(s.assigned[memberKey{orgID, userID}], roleID)
	return nil
}

// MemberRoles implements Store.
func (s *MemoryStore) MemberRoles(_ context.Context, orgID, userID int64) ([]Role, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, err := s.member(orgID, userID); err != nil {
		return nil, err
	}
	rs := []Role{}
	for id := range s.assigned[memberKey{orgID, userID}] {
		rs = append(rs, *s.roles[id])
	}
	slices.SortFunc(rs, roleOrder)
	return rs, nil
}

// MemberPermissions implements Store.
func (s *MemoryStore) MemberPermissions(_ context.Context, orgID, userID int64) ([]string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, err := s.member(orgID, userID); err != nil {
		return nil, err
	}
	set := map[string]struct{}{}
	for id := range s.assigned[memberKey{orgID, userID}] {
		for p := range s.rolePerms[id] {
			set[p] = struct{}{}
		}
	}
	return sortedKeys(set), nil
}

func cloneInvitation(inv *Invitation) Invitation {
	c := *inv
	c.RoleIDs = slices.Clone(inv.RoleIDs)
	c.TokenHash = slices.Clone(inv.TokenHash)
	return c
}

// CreateInvitation implements Store.
func (s *MemoryStore) CreateInvitation(_ context.Context, inv Invitation) (Invitation, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.org(inv.OrgID); err != nil {
		return Invitation{}, err
	}
	for _, id := range inv.RoleIDs {
		if _, err := s.role(inv.OrgID, id); err != nil {
			return Invitation{}, err
		}
	}
	inv.ID, inv.GUID, inv.Created = s.id(), newUUID(), s.stamp()
	inv.InviteeID, inv.AcceptedAt = 0, time.Time{}
	inv.ExpiresAt = inv.ExpiresAt.UTC().Truncate(time.Microsecond)
	c := cloneInvitation(&inv)
	s.invitations[inv.ID] = &c
	return cloneInvitation(&c), nil
}

// newUUID returns a random (version 4) UUID in its canonical form.
func newUUID() string {
	var b [16]byte
	_, _ = rand.Read(b[:]) // never fails (crypto/rand documents it)
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}

// InvitationByTokenHash implements Store.
func (s *MemoryStore) InvitationByTokenHash(_ context.Context, hash []byte) (Invitation, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var found *Invitation
	for _, inv := range s.invitations {
		if subtle.ConstantTimeCompare(inv.TokenHash, hash) == 1 {
			found = inv
		}
	}
	if found == nil {
		return Invitation{}, fmt.Errorf("orgs: invitation: %w", ErrNotFound)
	}
	return cloneInvitation(found), nil
}

// Invitations implements Store.
func (s *MemoryStore) Invitations(_ context.Context, orgID int64) ([]Invitation, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.org(orgID); err != nil {
		return nil, err
	}
	list := []Invitation{}
	for _, inv := range s.invitations {
		if inv.OrgID == orgID && inv.InviteeID == 0 {
			list = append(list, cloneInvitation(inv))
		}
	}
	slices.SortFunc(list, func(a, b Invitation) int {
		return cmp.Or(b.Created.Compare(a.Created), cmp.Compare(b.ID, a.ID))
	})
	return list, nil
}

func (s *MemoryStore) invitation(orgID, id int64) (*Invitation, error) {
	inv, ok := s.invitations[id]
	if !ok || inv.OrgID != orgID {
		return nil, fmt.Errorf("orgs: invitation %d of organization %d: %w", id, orgID, ErrNotFound)
	}
	return inv, nil
}

// AcceptInvitation implements Store.
func (s *MemoryStore) AcceptInvitation(_ context.Context, orgID, invitationID, userID int64, now time.Time) (Member, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	inv, err := s.invitation(orgID, invitationID)
	if err != nil {
		return Member{}, err
	}
	if inv.InviteeID != 0 {
		return Member{}, fmt.Errorf("orgs: accept invitation %d: %w", invitationID, ErrInvitationUsed)
	}
	if now.After(inv.ExpiresAt) {
		return Member{}, fmt.Errorf("orgs: accept invitation %d: %w", invitationID, ErrInvitationExpired)
	}
	m, err := s.addMember(orgID, userID, inv.IsAdmin)
	if err != nil {
		return Member{}, err
	}
	for _, id := range inv.RoleIDs {
		s.assign(orgID, userID, id)
	}
	inv.InviteeID, inv.AcceptedAt = userID, now.UTC().Truncate(time.Microsecond)
	return m, nil
}

// RevokeInvitation implements Store.
func (s *MemoryStore) RevokeInvitation(_ context.Context, orgID, invitationID int64) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	inv, err := s.invitation(orgID, invitationID)
	if err != nil {
		return err
	}
	if inv.InviteeID != 0 {
		return fmt.Errorf("orgs: revoke invitation %d: %w", invitationID, ErrInvitationUsed)
	}
	delete(s.invitations, invitationID)
	return nil
}
