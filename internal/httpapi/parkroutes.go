package httpapi

import "github.com/go-chi/chi/v5"

// parkRoutes registers the park-siting API under /api/v1.
// Placeholder owned by the park-siting work.
func (s *Server) parkRoutes(r chi.Router) {}
