package cordon

import "context"

// Actor is the authenticated user on whose behalf a request runs.
type Actor struct {
	UserID    int64
	Username  string
	OrgID     int64
	OrgKind   OrgKind
	PartnerID int64 // the partner org's id for partner users; 0 for the institute
	Roles     []Role
	SessionID string // the login session (refresh family) the token belongs to
}

// IsPartner reports whether the actor belongs to a partner company.
func (a *Actor) IsPartner() bool { return a != nil && a.OrgKind == OrgPartner }

// HasRole reports whether the actor holds role r.
func (a *Actor) HasRole(r Role) bool {
	if a == nil {
		return false
	}
	for _, x := range a.Roles {
		if x == r {
			return true
		}
	}
	return false
}

// RequestMeta describes the request a piece of work runs for; the access log
// records it.
type RequestMeta struct {
	RequestID string
	ClientIP  string
}

type actorKey struct{}
type metaKey struct{}

// NewContextWithActor returns a context that carries the actor.
func NewContextWithActor(ctx context.Context, a *Actor) context.Context {
	return context.WithValue(ctx, actorKey{}, a)
}

// ActorFromContext returns the actor in ctx, or nil for an anonymous request.
func ActorFromContext(ctx context.Context) *Actor {
	a, _ := ctx.Value(actorKey{}).(*Actor)
	return a
}

// Caller returns the actor in ctx, or EUNAUTHENTICATED for an anonymous
// request: the first line of every service method that acts for a user.
func Caller(ctx context.Context) (*Actor, error) {
	if a := ActorFromContext(ctx); a != nil {
		return a, nil
	}
	return nil, Err(EUNAUTHENTICATED, "authentication_required")
}

// NewContextWithMeta returns a context that carries the request metadata.
func NewContextWithMeta(ctx context.Context, m RequestMeta) context.Context {
	return context.WithValue(ctx, metaKey{}, m)
}

// MetaFromContext returns the request metadata in ctx (zero when absent).
func MetaFromContext(ctx context.Context) RequestMeta {
	m, _ := ctx.Value(metaKey{}).(RequestMeta)
	return m
}
