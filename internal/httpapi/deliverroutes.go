package httpapi

import "github.com/go-chi/chi/v5"

// deliverRoutes adds what a planner hands on from a finished plan: the
// workbook, the allocation layers and the report (documented in
// openapi_deliver.go).
func (s *Server) deliverRoutes(r chi.Router) {
	r.Get("/plans/{id}/export.xlsx", s.handle(s.exportPlan("xlsx")))
}
