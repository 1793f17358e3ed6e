package httpapi

import "net/http"

// Roles of API tokens, weakest first.
const (
	RoleViewer  = "viewer"
	RolePlanner = "planner"
	RoleAdmin   = "admin"
)

// authenticate identifies the caller from an API token.
// Placeholder owned by the GIS-clients work: it lets every request through.
func (s *Server) authenticate(next http.Handler) http.Handler { return next }

// require admits callers with at least role.
// Placeholder owned by the GIS-clients work: it admits everyone.
func (s *Server) require(role string) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler { return next }
}
