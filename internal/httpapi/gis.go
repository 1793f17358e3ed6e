package httpapi

import "github.com/go-chi/chi/v5"

// gisRoutes registers OGC API Features, vector tiles and the OpenAPI
// document. Placeholder owned by the GIS-clients work.
func (s *Server) gisRoutes(r chi.Router) {}
