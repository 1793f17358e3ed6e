package httpapi

import (
	"github.com/go-chi/chi/v5"
)

// gisRoutes registers what GIS clients use: OGC API – Features under /ogc
// (ogc.go), vector tiles under /tiles (tiles.go) and the OpenAPI document
// (openapi.go). Reads pass authenticate (open unless ReadAuth); writes
// need a planner token. It panics when a tile layer is malformed, a
// programming error best caught at start-up.
func (s *Server) gisRoutes(r chi.Router) {
	reg, err := newTileRegistry(s.tileLayers())
	if err != nil {
		panic(err)
	}
	r.With(s.authenticate).Get("/api/openapi.json", s.handle(s.openAPI(reg)))

	r.Route("/ogc", func(r chi.Router) {
		r.Use(s.authenticate)
		r.Get("/", s.handle(s.ogcLanding))
		r.Get("/conformance", s.handle(s.ogcConformance))
		r.Get("/collections", s.handle(s.ogcCollections))
		r.Get("/collections/{collectionId}", s.handle(s.ogcCollection))
		r.Get("/collections/{collectionId}/items", s.handle(s.ogcItems))
		r.With(s.require(RolePlanner)).Post("/collections/{collectionId}/items", s.handle(s.ogcCreate))
		r.Get("/collections/{collectionId}/items/{featureId}", s.handle(s.ogcItem))
		r.With(s.require(RolePlanner)).Put("/collections/{collectionId}/items/{featureId}", s.handle(s.ogcReplace))
		r.With(s.require(RolePlanner)).Delete("/collections/{collectionId}/items/{featureId}", s.handle(s.ogcDelete))
	})

	r.Route("/tiles", func(r chi.Router) {
		r.Use(s.authenticate)
		r.Get("/", s.handle(s.tileIndex(reg)))
		r.Get("/{layers}.json", s.handle(s.tileJSON(reg)))
		r.Get("/{layers}/{z}/{x}/{y}.mvt", s.handle(s.tile(reg)))
	})
}
