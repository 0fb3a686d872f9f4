package authn

import "time"

// SetHashHooks replaces the password check of s and the timer its hash gate
// waits on (nil leaves either as it is). Call it before s serves a login.
func SetHashHooks(s *Service, verify func(hash, password string) (bool, error), after func(time.Duration) <-chan time.Time) {
	if verify != nil {
		s.verifyPassword = verify
	}
	if after != nil {
		s.gate.after = after
	}
}
