// Package dispatch holds the rules of dispatch: who may move a job from one
// status to the next (the job state machine of DESIGN.md §2), in which order
// candidate partners are offered a request, and when an offer lapses.
//
// The lifecycle and the ranking are pure: no storage, no clock of their own
// (the caller passes the time), no network. Services load a job and its
// timeline, ask them, and store the job and the event they return.
//
//   - Lifecycle: [Transition] checks a [Move] against the actor's party and
//     the job's status, updates the job's status and timestamps, and returns
//     the [cordon.JobEvent] to append; [Allowed] lists the statuses an actor
//     may move a job to now, for status buttons; [Assign] hands a partner
//     job to one of the partner's technicians.
//   - Ranking: [Rank] orders the candidates ([Candidate]) for a request,
//     in-house last; [OfferDeadline] is when an offer made now lapses under
//     a contract.
//   - Desk: [Desk] serves the job list and job page, scoped to the caller.
//
// Errors are *cordon.Error: EINVALID (with the field), EUNAUTHENTICATED,
// EFORBIDDEN (the role may never make that move), ENOTFOUND (a partner user
// and a job its partner does not hold: the job must not be seen to exist) and
// ECONFLICT (not from this status; the message says what is allowed now).
package dispatch
