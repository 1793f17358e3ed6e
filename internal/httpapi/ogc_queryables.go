package httpapi

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strings"

	"github.com/coldchain/coldchain/internal/cql2"
	"github.com/coldchain/coldchain/internal/derrors"
	"github.com/coldchain/coldchain/internal/layer"
)

// OGC API – Features Part 3 queryables and Part 5 schemas: JSON Schemas of
// what a collection's filters may name, and of its features' properties,
// both from the layer descriptor (layer.Layer.Queryables).

const schemaType = "application/schema+json"

// geometryFormat is the JSON Schema format of a layer's geometry
// (OGC API – Features Part 5).
func geometryFormat(l *layer.Layer) string {
	if len(l.Geometry) == 1 {
		return "geometry-" + strings.ToLower(l.Geometry[0])
	}
	return "geometry-any"
}

// queryableSchema is the JSON Schema of one queryable.
func queryableSchema(l *layer.Layer, q cql2.Queryable) schema {
	if q.Type == cql2.GeometryType {
		return schema{"title": q.Title, "format": geometryFormat(l), "x-ogc-role": "primary-geometry"}
	}
	s := schema{"type": string(q.Type), "title": q.Name}
	if q.Title != "" {
		s["description"] = q.Title
	}
	if len(q.Enum) > 0 {
		s["enum"] = q.Enum
	}
	if q.Name == l.Key {
		s["x-ogc-role"] = "id"
	}
	return s
}

// layerTarget resolves a collection that is a layer (plan collections
// have no queryables).
func (s *Server) layerTarget(r *http.Request) (*layer.Layer, error) {
	t, err := s.target(r)
	if err != nil {
		return nil, err
	}
	if t.layer == nil {
		return nil, derrors.NotFound("plan collections have no queryables or schema; layers do (%s)", strings.Join(layer.Names(), ", "))
	}
	return t.layer, nil
}

// ogcQueryables answers /ogc/collections/{id}/queryables.
func (s *Server) ogcQueryables(w http.ResponseWriter, r *http.Request) error {
	l, err := s.layerTarget(r)
	if err != nil {
		return err
	}
	props := schema{}
	// list is the draft's form of the same, which GDAL 3.6 reads.
	var list []map[string]string
	for _, q := range l.Queryables() {
		props[q.Name] = queryableSchema(l, q)
		list = append(list, map[string]string{"id": q.Name, "type": string(q.Type)})
	}
	return writeSchema(w, r, map[string]any{
		"$schema":              "https://json-schema.org/draft/2020-12/schema",
		"$id":                  baseURL(r) + "/ogc/collections/" + url.PathEscape(l.Name) + "/queryables",
		"type":                 "object",
		"title":                l.Title,
		"description":          "Properties a CQL2 filter (filter-lang cql2-text or cql2-json) and sortby may name. Spatial predicates: " + strings.Join(cql2.SpatialOps(), ", ") + " on geometry.",
		"properties":           props,
		"additionalProperties": false,
		"queryables":           list,
	})
}

// ogcSchema answers /ogc/collections/{id}/schema: every property of the
// layer's features with its type.
func (s *Server) ogcSchema(w http.ResponseWriter, r *http.Request) error {
	l, err := s.layerTarget(r)
	if err != nil {
		return err
	}
	props := schema{}
	qs := map[string]cql2.Queryable{}
	for _, q := range l.Queryables() {
		qs[q.Name] = q
	}
	for _, f := range l.Fields {
		if q, ok := qs[f.Name]; ok {
			props[f.Name] = queryableSchema(l, q)
			continue
		}
		props[f.Name] = fieldSchema(f)
	}
	if q, ok := qs["region_code"]; ok {
		props["region_code"] = queryableSchema(l, q)
	}
	props[layer.GeometryQueryable] = queryableSchema(l, qs[layer.GeometryQueryable])
	return writeSchema(w, r, map[string]any{
		"$schema":    "https://json-schema.org/draft/2020-12/schema",
		"$id":        baseURL(r) + "/ogc/collections/" + url.PathEscape(l.Name) + "/schema",
		"type":       "object",
		"title":      l.Title,
		"properties": props,
	})
}

// fieldSchema is the schema of a field that is not queryable (lists,
// monthly shares, capacity maps).
func fieldSchema(f layer.Field) schema {
	switch f.Kind {
	case layer.EnumList:
		return schema{"type": "array", "title": f.Name, "items": schema{"type": "string", "enum": f.Enum}}
	case layer.ClassList:
		return schema{"type": "array", "title": f.Name, "items": schema{"type": "string"}}
	case layer.Shares:
		return schema{"type": "array", "title": f.Name, "minItems": 12, "maxItems": 12, "items": schema{"type": "number"},
			"description": "12 monthly shares summing to 1"}
	case layer.Capacity:
		return schema{"type": "object", "title": f.Name, "description": "tonnes per temperature zone",
			"additionalProperties": schema{"type": "number"}}
	}
	return schema{"title": f.Name}
}

// writeSchema writes a JSON Schema as application/schema+json, or as
// application/json to clients that accept JSON but not schemas (GDAL 3.6).
func writeSchema(w http.ResponseWriter, r *http.Request, v any) error {
	ct := schemaType
	if a := r.Header.Get("Accept"); a != "" && !strings.Contains(a, schemaType) && !strings.Contains(a, "*/*") && strings.Contains(a, "application/json") {
		ct = "application/json"
	}
	w.Header().Set("Content-Type", ct)
	w.Header().Add("Vary", "Accept")
	w.WriteHeader(http.StatusOK)
	return json.NewEncoder(w).Encode(v)
}
