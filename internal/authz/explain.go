package authz

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	"github.com/cordon/cordon/internal/cordon"
)

// ExplainerConfig holds what explanations read.
type ExplainerConfig struct {
	Users     cordon.UserStore
	Jobs      cordon.JobStore
	Documents cordon.DocumentStore
	Catalog   cordon.CatalogStore
	Roles     cordon.RoleAuthorizer
	Scope     cordon.ScopePolicy
}

// Explainer answers "may this user do this, and under which clause?" with
// the same rules the server enforces: the role rules first, then for a
// partner user and an object, the compiled scope.
type Explainer struct{ cfg ExplainerConfig }

var _ cordon.PolicyExplainer = (*Explainer)(nil)

// NewExplainer returns an explainer.
func NewExplainer(cfg ExplainerConfig) *Explainer { return &Explainer{cfg: cfg} }

// Explain decides for username, action and resource ("job", "job:42",
// "document:7").
func (e *Explainer) Explain(ctx context.Context, username, action, resource string) (*cordon.Explanation, error) {
	u, err := e.cfg.Users.FindUserByUsername(ctx, username)
	if err != nil {
		return nil, err
	}
	kind, idText, hasID := strings.Cut(resource, ":")
	if !known(Resources, kind) {
		return nil, cordon.FieldErr("resource", "authz.unknown_resource_kind", kind)
	}
	if !known(Actions, action) {
		return nil, cordon.FieldErr("action", "authz.unknown_action", action)
	}
	if u.Disabled() {
		return &cordon.Explanation{Layer: "role", Reason: "The user is disabled."}, nil
	}
	if !e.cfg.Roles.Allow(u.Roles, kind, action) {
		return &cordon.Explanation{Layer: "role", Reason: fmt.Sprintf("No role of %s may %s %s.", u.Username, action, kind)}, nil
	}
	if u.Org == nil || u.Org.Kind != cordon.OrgPartner {
		return &cordon.Explanation{Allowed: true, Layer: "role", Reason: "Allowed by the role rules; institute users are not bound by contract scope."}, nil
	}
	if !hasID {
		return &cordon.Explanation{Allowed: true, Layer: "role", Reason: "Allowed by the role rules; each object is then checked against the partner's contracts."}, nil
	}
	id, err := strconv.ParseInt(idText, 10, 64)
	if err != nil || id <= 0 {
		return nil, cordon.FieldErr("resource", "authz.id_not_positive_number", resource)
	}
	q := cordon.ScopeQuery{PartnerID: u.Org.ID, Resource: kind, Action: action}
	switch kind {
	case cordon.ResJob:
		j, err := e.cfg.Jobs.FindJobByID(ctx, id)
		if err != nil {
			return nil, err
		}
		if j.PartnerID == nil || *j.PartnerID != u.Org.ID {
			return &cordon.Explanation{Layer: "scope", Reason: "The job is not offered to or held by the user's partner."}, nil
		}
		q.City, q.ProductLine, q.Category = j.Request.SiteCity, j.Request.ProductLine, j.Request.Category
	case cordon.ResDocument:
		d, err := e.cfg.Documents.FindDocumentByID(ctx, id)
		if err != nil {
			return nil, err
		}
		lines, err := e.cfg.Catalog.FindProductLines(ctx)
		if err != nil {
			return nil, err
		}
		for _, l := range lines {
			if l.ID == d.ProductLineID {
				q.ProductLine = l.Code
			}
		}
		q.Classification = d.Classification
	default:
		return nil, cordon.FieldErr("resource", "authz.objects_kind_cannot_explained_id", kind)
	}
	dec, err := e.cfg.Scope.Decide(q)
	if err != nil {
		return nil, err
	}
	if !dec.Allowed {
		return &cordon.Explanation{Layer: "scope", Reason: "No clause of a contract in force covers this object."}, nil
	}
	return &cordon.Explanation{Allowed: true, Layer: "scope", Reason: "Allowed by the contract clause.", ContractNo: dec.ContractNo, Clause: dec.Clause}, nil
}
