package main

import "github.com/cordon/cordon/internal/audit"

// openCheckpoint verifies a signed checkpoint with the verifier key, for
// the portal's seal page (webui cannot import audit).
func openCheckpoint(note []byte, key string) (uint64, [32]byte, error) {
	c, err := audit.OpenCheckpoint(note, key)
	return c.Size, c.Root, err
}
