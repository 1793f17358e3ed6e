// Package migrations holds coldchain's numbered SQL migrations (goose
// format, one transaction each), embedded in the binary.
package migrations

import "embed"

// FS holds the migration files.
//
//go:embed *.sql
var FS embed.FS
