// Package sla measures a job against its contract's service levels: from the
// job's timeline it computes the four SLA clocks of DESIGN.md §5 (accept,
// respond, on site, resolve), each of which runs from the offer, pauses
// while the job waits on the customer or on parts, and stops when its
// milestone is reached; and it says which clocks are met, at risk or
// breached, counting time on a [Calendar] (24×7 by default, or business
// hours with holidays).
//
// It is pure and deterministic: no storage, and the caller passes the time
// (never time.Now), so the sweeper and the tests give it any instant.
//
// Boundaries: a clock is breached once its used time reaches its limit
// (used ≥ limit: the limit's own instant is already late, as an offer lapses
// at its deadline), met when its milestone comes with used < limit, and at
// risk while it runs (or is paused) with used ≥ the at-risk share of the
// limit (0.8 by default) and not yet breached.
package sla
