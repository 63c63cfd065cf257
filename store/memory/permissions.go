package memory

import (
	"cmp"
	"context"
	"fmt"
	"slices"

	auth "github.com/djauth/auth"
	"github.com/djauth/auth/store/internal/valid"
)

// GetContentType returns the content type of (appLabel, model), or
// auth.ErrContentTypeNotFound.
func (s *Store[U]) GetContentType(ctx context.Context, appLabel, model string) (auth.ContentType, error) {
	if err := s.start(ctx); err != nil {
		return auth.ContentType{}, err
	}
	if !valid.Text(appLabel) || !valid.Text(model) {
		return auth.ContentType{}, fmt.Errorf("memory: get content type %q.%q: %w",
			appLabel, model, auth.ErrContentTypeNotFound)
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	id, ok := s.ctByKey[ctKey{appLabel, model}]
	if !ok {
		return auth.ContentType{}, fmt.Errorf("memory: get content type %s.%s: %w",
			appLabel, model, auth.ErrContentTypeNotFound)
	}
	return s.contentTypes[id], nil
}

// GetOrCreateContentType returns the content type of (appLabel, model),
// creating it if it is missing.
func (s *Store[U]) GetOrCreateContentType(ctx context.Context, appLabel, model string) (auth.ContentType, error) {
	if err := s.start(ctx); err != nil {
		return auth.ContentType{}, err
	}
	ct := auth.ContentType{AppLabel: appLabel, Model: model}
	if err := ct.Validate(); err != nil {
		return auth.ContentType{}, fmt.Errorf("memory: create content type: %w", err)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.getOrCreateContentType(ct), nil
}

// getOrCreateContentType is GetOrCreateContentType with ct validated and
// the write lock held.
func (s *Store[U]) getOrCreateContentType(ct auth.ContentType) auth.ContentType {
	if id, ok := s.ctByKey[ctKey{ct.AppLabel, ct.Model}]; ok {
		return s.contentTypes[id]
	}
	s.lastCTID++
	ct.ID = s.lastCTID
	s.contentTypes[ct.ID] = ct
	s.ctByKey[ctKey{ct.AppLabel, ct.Model}] = ct.ID
	return ct
}

// ListContentTypes returns every content type ordered by app label and
// model.
func (s *Store[U]) ListContentTypes(ctx context.Context) ([]auth.ContentType, error) {
	if err := s.start(ctx); err != nil {
		return nil, err
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	out := make([]auth.ContentType, 0, len(s.contentTypes))
	for _, ct := range s.contentTypes {
		out = append(out, ct)
	}
	slices.SortFunc(out, func(a, b auth.ContentType) int {
		return cmp.Or(cmp.Compare(a.AppLabel, b.AppLabel), cmp.Compare(a.Model, b.Model))
	})
	return out, nil
}

// CreatePermission validates p and stores it under the content type
// (p.AppLabel, p.Model), which must exist, then sets p.ID and
// p.ContentTypeID. A codename that content type has gives
// auth.ErrDuplicatePermission.
func (s *Store[U]) CreatePermission(ctx context.Context, p *auth.Permission) error {
	if err := s.start(ctx); err != nil {
		return err
	}
	if p == nil {
		return &auth.ValidationError{Field: "Permission", Code: "required", Message: "permission is nil"}
	}
	if err := p.Validate(); err != nil {
		return fmt.Errorf("memory: create permission: %w", err)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	ctID, ok := s.ctByKey[ctKey{p.AppLabel, p.Model}]
	if !ok {
		return fmt.Errorf("memory: create permission %s: content type %s.%s: %w",
			p.Key(), p.AppLabel, p.Model, auth.ErrContentTypeNotFound)
	}
	if _, ok := s.permByCT[ctCodename{ctID, p.Codename}]; ok {
		return fmt.Errorf("memory: create permission %s on %s.%s: %w",
			p.Key(), p.AppLabel, p.Model, auth.ErrDuplicatePermission)
	}
	stored := s.insertPermission(ctID, *p)
	p.ID, p.ContentTypeID = stored.ID, stored.ContentTypeID
	return nil
}

// insertPermission stores p, validated, under the content type ctID. The
// write lock is held.
func (s *Store[U]) insertPermission(ctID int64, p auth.Permission) auth.Permission {
	ct := s.contentTypes[ctID]
	s.lastPermID++
	p.ID, p.ContentTypeID, p.AppLabel, p.Model = s.lastPermID, ctID, ct.AppLabel, ct.Model
	s.perms[p.ID] = p
	s.permByCT[ctCodename{ctID, p.Codename}] = p.ID
	s.permByKey.add(p.Key(), p.ID)
	return p
}

// EnsurePermissions creates the content type (appLabel, model) if it is
// missing, then each permission whose codename it lacks, and returns the
// stored form of every requested permission in the order given. Existing
// permissions keep their names. Every permission is validated before
// anything is written; a permission whose AppLabel or Model is set must
// match the arguments, and empty ones are filled in.
func (s *Store[U]) EnsurePermissions(ctx context.Context, appLabel, model string, perms []auth.Permission) ([]auth.Permission, error) {
	if err := s.start(ctx); err != nil {
		return nil, err
	}
	ct := auth.ContentType{AppLabel: appLabel, Model: model}
	if err := ct.Validate(); err != nil {
		return nil, fmt.Errorf("memory: ensure permissions: %w", err)
	}
	want := make([]auth.Permission, len(perms))
	for i, p := range perms {
		if p.AppLabel == "" {
			p.AppLabel = appLabel
		}
		if p.Model == "" {
			p.Model = model
		}
		if p.AppLabel != appLabel || p.Model != model {
			return nil, fmt.Errorf("memory: ensure permissions of %s.%s: %w", appLabel, model,
				&auth.ValidationError{Field: "Permission", Code: "invalid",
					Message: fmt.Sprintf("permission %q belongs to %s.%s", p.Codename, p.AppLabel, p.Model)})
		}
		if err := p.Validate(); err != nil {
			return nil, fmt.Errorf("memory: ensure permissions of %s.%s: %w", appLabel, model, err)
		}
		want[i] = p
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	ct = s.getOrCreateContentType(ct)
	out := make([]auth.Permission, len(want))
	for i, p := range want {
		if id, ok := s.permByCT[ctCodename{ct.ID, p.Codename}]; ok {
			out[i] = s.perms[id]
			continue
		}
		out[i] = s.insertPermission(ct.ID, p)
	}
	return out, nil
}

// GetPermission returns the permission named "app_label.codename", or
// auth.ErrPermissionNotFound, also for a name with a NUL byte or invalid
// UTF-8; a malformed name gives a *auth.ValidationError. When models of one app share a codename, the key
// names all of them and the first in ListPermissions order (by model name)
// is returned.
func (s *Store[U]) GetPermission(ctx context.Context, perm string) (auth.Permission, error) {
	if err := s.start(ctx); err != nil {
		return auth.Permission{}, err
	}
	if !valid.Text(perm) {
		return auth.Permission{}, fmt.Errorf("memory: get permission %q: %w", perm, auth.ErrPermissionNotFound)
	}
	if _, _, err := auth.ParsePermission(perm); err != nil {
		return auth.Permission{}, fmt.Errorf("memory: get permission: %w", err)
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	ids := s.permByKey[perm]
	if len(ids) == 0 {
		return auth.Permission{}, fmt.Errorf("memory: get permission %q: %w", perm, auth.ErrPermissionNotFound)
	}
	return s.permList(ids)[0], nil
}

// ListPermissions returns the permissions of appLabel, or of every app when
// it is empty, ordered by app label, model and codename.
func (s *Store[U]) ListPermissions(ctx context.Context, appLabel string) ([]auth.Permission, error) {
	if err := s.start(ctx); err != nil {
		return nil, err
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	out := make([]auth.Permission, 0)
	for _, p := range s.perms {
		if appLabel == "" || p.AppLabel == appLabel {
			out = append(out, p)
		}
	}
	sortPermissions(out)
	return out, nil
}

// DeletePermission deletes the permission and every grant of it, or
// returns auth.ErrPermissionNotFound. When models of one app share the
// codename, all of them are deleted.
func (s *Store[U]) DeletePermission(ctx context.Context, perm string) error {
	if err := s.start(ctx); err != nil {
		return err
	}
	if _, _, err := auth.ParsePermission(perm); err != nil {
		return fmt.Errorf("memory: delete permission: %w", err)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	ids := s.permByKey[perm]
	if len(ids) == 0 {
		return fmt.Errorf("memory: delete permission %q: %w", perm, auth.ErrPermissionNotFound)
	}
	for id := range ids {
		p := s.perms[id]
		delete(s.perms, id)
		delete(s.permByCT, ctCodename{p.ContentTypeID, p.Codename})
		unlinkAll(s.permUsers, s.userPerms, id)
		unlinkAll(s.permGroups, s.groupPerms, id)
	}
	delete(s.permByKey, perm)
	return nil
}

// sortPermissions orders permissions by app label, model and codename.
func sortPermissions(ps []auth.Permission) { slices.SortFunc(ps, comparePermissions) }

func comparePermissions(a, b auth.Permission) int {
	return cmp.Or(cmp.Compare(a.AppLabel, b.AppLabel), cmp.Compare(a.Model, b.Model),
		cmp.Compare(a.Codename, b.Codename))
}
