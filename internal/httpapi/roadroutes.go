package httpapi

import "github.com/go-chi/chi/v5"

// roadRoutes registers the road-network API under /api/v1 (service areas).
// Placeholder owned by the road-network work.
func (s *Server) roadRoutes(r chi.Router) {}
