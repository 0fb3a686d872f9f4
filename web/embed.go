// Package web holds the portal's templates and static assets, embedded in
// the binary so that nothing comes from a CDN.
package web

import "embed"

// FS holds templates/ and static/.
//
//go:embed templates static
var FS embed.FS
