// Package policies holds Cordon's Casbin models and its static role policy,
// embedded so the one binary carries them:
//
//   - roles.conf, roles.csv: function-level role rules (which role may take
//     which action on which kind of resource);
//   - scope.conf: the model for object-level scope rules, whose rows are
//     compiled from each partner's active contracts at run time.
//
// internal/authz loads them; cmd/cordon hands FS in.
package policies

import "embed"

// FS holds every model and policy file of this directory.
//
//go:embed *.conf *.csv
var FS embed.FS
