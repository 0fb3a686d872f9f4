// Package bench measures Cordon at scale: it seeds PostgreSQL with a large
// partner network, drives a fixed number of connections over loopback
// against the real server and against raw pgx baselines of the same SQL,
// and reports requests per second, latency, CPU and memory per case.
//
// It talks to the product's data through the cordon service interfaces for
// everything whose format the product owns (organisations, users, contracts,
// the catalogue) and through pgx for the bulk rows and the baselines. The
// wiring of the server under test is the command's (cmd/cordon bench).
package bench

import "time"

// Size is how much data to seed and how hard and long to drive it.
type Size struct {
	Name      string
	Partners  int
	Customers int
	Jobs      int
	Documents int
	Events    int // access events
	// Conns is the number of concurrent connections of the load generator.
	Conns int
	// Duration is how long each case runs; Warmup runs before it, unmeasured.
	Duration, Warmup time.Duration
	// Logins is how many partner users log in before the load to get tokens.
	Logins int
	// Seal is how long the sealing throughput is measured.
	Seal time.Duration
	// Decisions is how many scope decisions are timed.
	Decisions int
}

// Full is the scale: a thousand partners and a million jobs.
var Full = Size{
	Name: "full", Partners: 1000, Customers: 100_000, Jobs: 1_000_000, Documents: 10_000, Events: 5_000_000,
	Conns: 64, Duration: 15 * time.Second, Warmup: 3 * time.Second, Logins: 200, Seal: 10 * time.Second, Decisions: 50_000,
}

// Quick is a smaller world and short runs: under two minutes in all.
var Quick = Size{
	Name: "quick", Partners: 50, Customers: 5_000, Jobs: 20_000, Documents: 1_000, Events: 200_000,
	Conns: 64, Duration: 4 * time.Second, Warmup: time.Second, Logins: 50, Seal: 3 * time.Second, Decisions: 20_000,
}

// Tiny is for the test suite: it proves the whole path, not the speed.
var Tiny = Size{
	Name: "tiny", Partners: 10, Customers: 400, Jobs: 2_000, Documents: 100, Events: 5_000,
	Conns: 4, Duration: 500 * time.Millisecond, Warmup: 100 * time.Millisecond, Logins: 4, Seal: 300 * time.Millisecond,
	Decisions: 2_000,
}

// Password is the password of every seeded user (hashed once, reused).
const Password = "bench-Passw0rd-2026"
