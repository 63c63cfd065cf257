package redis

// UseTwoStepRenew makes s renew as it does on Redis Cluster (a DEL, then
// a SET), so that the tests run that path on a single node too.
func UseTwoStepRenew(s *SessionStore) { s.twoStep = true }
