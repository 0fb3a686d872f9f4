// Package cordon is the domain at the centre of Cordon: the types of the
// partner-network service portal, the service interfaces the other packages
// implement, the one error type, and the Actor carried in a request context.
//
// It imports only the standard library. Fiber, GORM, Casbin and JWT types
// never appear here.
package cordon

import "time"

// Clock returns the current time. Packages that read the time take one so
// tests can move it.
type Clock func() time.Time
