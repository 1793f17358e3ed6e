package httpapi

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/go-chi/chi/v5"
	"github.com/jackc/pgx/v5"

	"github.com/coldchain/coldchain/internal/crs"
	"github.com/coldchain/coldchain/internal/derrors"
	"github.com/coldchain/coldchain/internal/layer"
	"github.com/coldchain/coldchain/internal/postgres"
	"github.com/coldchain/coldchain/internal/runs"
)

// OGC API – Features under /ogc: Part 1 (Core, GeoJSON, OpenAPI 3.0) over
// every layer and every finished plan's sites (collection plan-<id>), and
// Part 4 (create, replace, delete) on the editable layers for planners.

const (
	ogcDefaultLimit = 100
	crs84           = "http://www.opengis.net/def/crs/OGC/1.3/CRS84"
	planCollection  = "plan-"
	geoJSONType     = "application/geo+json"
)

// ogcConformance lists the conformance classes the API implements.
func ogcConformance() []string {
	return []string{
		"http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/core",
		"http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/geojson",
		"http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/oas30",
		"http://www.opengis.net/spec/ogcapi-features-2/1.0/conf/crs",
		"http://www.opengis.net/spec/ogcapi-features-3/1.0/conf/queryables",
		"http://www.opengis.net/spec/ogcapi-features-3/1.0/conf/filter",
		"http://www.opengis.net/spec/ogcapi-features-3/1.0/conf/features-filter",
		"http://www.opengis.net/spec/ogcapi-features-4/1.0/conf/create-replace-delete",
		"http://www.opengis.net/spec/ogcapi-features-5/1.0/conf/schemas",
		"http://www.opengis.net/spec/ogcapi-features-5/1.0/conf/core-roles-features",
		"http://www.opengis.net/spec/ogcapi-features-8/1.0/conf/sorting",
		"http://www.opengis.net/spec/cql2/1.0/conf/cql2-text",
		"http://www.opengis.net/spec/cql2/1.0/conf/cql2-json",
		"http://www.opengis.net/spec/cql2/1.0/conf/basic-cql2",
		"http://www.opengis.net/spec/cql2/1.0/conf/advanced-comparison-operators",
		"http://www.opengis.net/spec/cql2/1.0/conf/basic-spatial-functions",
		"http://www.opengis.net/spec/cql2/1.0/conf/basic-spatial-functions-plus",
		"http://www.opengis.net/spec/cql2/1.0/conf/spatial-functions",
		"http://www.opengis.net/spec/cql2/1.0/conf/property-property",
	}
}

// editable reports whether planners may write layer l through OGC API
// Features (Part 4). Regions and exclusion zones are reference data
// loaded by import; plan results never change.
func editable(l *layer.Layer) bool {
	switch l.Name {
	case "producers", "facilities", "candidates":
		return true
	}
	return false
}

// link is a web link (RFC 8288) in OGC API responses.
type link struct {
	Href  string `json:"href"`
	Rel   string `json:"rel"`
	Type  string `json:"type,omitempty"`
	Title string `json:"title,omitempty"`
}

// baseURL is the scheme, host and base path the client used
// (X-Forwarded-Proto names the scheme behind a TLS-terminating proxy).
func baseURL(r *http.Request) string {
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	if p := r.Header.Get("X-Forwarded-Proto"); p == "http" || p == "https" {
		scheme = p
	}
	// underBasePath leaves only a checked prefix in X-Forwarded-Prefix.
	return scheme + "://" + r.Host + r.Header.Get("X-Forwarded-Prefix")
}

// withMembers adds members to the JSON object obj.
func withMembers(obj []byte, members map[string]any) ([]byte, error) {
	obj = bytes.TrimRight(obj, " \n\r\t")
	if len(obj) < 2 || obj[len(obj)-1] != '}' {
		return nil, fmt.Errorf("withMembers: not a JSON object")
	}
	add, err := json.Marshal(members)
	if err != nil {
		return nil, err
	}
	out := append([]byte(nil), obj[:len(obj)-1]...)
	if !bytes.Equal(bytes.TrimSpace(obj[:len(obj)-1]), []byte("{")) {
		out = append(out, ',')
	}
	return append(out, add[1:]...), nil
}

func (s *Server) ogcLanding(w http.ResponseWriter, r *http.Request) error {
	base := baseURL(r)
	return writeJSON(w, http.StatusOK, map[string]any{
		"title":       "coldchain",
		"description": "Producers, facilities, candidate sites, exclusion zones, administrative areas and plan results as OGC API – Features.",
		"links": []link{
			{Href: base + "/ogc", Rel: "self", Type: "application/json", Title: "This document"},
			{Href: base + "/api/openapi.json", Rel: "service-desc", Type: "application/vnd.oai.openapi+json;version=3.0", Title: "The API definition"},
			{Href: base + "/ogc/conformance", Rel: "conformance", Type: "application/json", Title: "Conformance classes"},
			{Href: base + "/ogc/collections", Rel: "data", Type: "application/json", Title: "Collections"},
		},
	})
}

func (s *Server) ogcConformance(w http.ResponseWriter, r *http.Request) error {
	return writeJSON(w, http.StatusOK, map[string]any{"conformsTo": ogcConformance()})
}

// ogcCollectionInfo is a collection's description.
type ogcCollectionInfo struct {
	ID          string     `json:"id"`
	Title       string     `json:"title"`
	Description string     `json:"description,omitempty"`
	ItemType    string     `json:"itemType"`
	CRS         []string   `json:"crs"`
	StorageCRS  string     `json:"storageCrs"`
	Extent      *ogcExtent `json:"extent,omitempty"`
	Links       []link     `json:"links"`
}

// ogcExtent is a collection's spatial extent in CRS84.
type ogcExtent struct {
	Spatial struct {
		BBox [][4]float64 `json:"bbox"`
		CRS  string       `json:"crs"`
	} `json:"spatial"`
}

func newExtent(b [4]*float64) *ogcExtent {
	if b[0] == nil {
		return nil
	}
	e := &ogcExtent{}
	e.Spatial.BBox = [][4]float64{{*b[0], *b[1], *b[2], *b[3]}}
	e.Spatial.CRS = crs84
	return e
}

func collectionLinks(base, id string) []link {
	c := base + "/ogc/collections/" + url.PathEscape(id)
	return []link{
		{Href: c, Rel: "self", Type: "application/json", Title: "This collection"},
		{Href: c + "/items", Rel: "items", Type: geoJSONType, Title: "Its features"},
	}
}

// layerCollection describes layer l with its extent.
func (s *Server) layerCollection(ctx context.Context, base string, l *layer.Layer) (ogcCollectionInfo, error) {
	var b [4]*float64
	err := s.readPool().QueryRow(ctx, `SELECT ST_XMin(e), ST_YMin(e), ST_XMax(e), ST_YMax(e) FROM (SELECT ST_Extent(geom) AS e FROM `+
		pgx.Identifier{l.View}.Sanitize()+`) x`).Scan(&b[0], &b[1], &b[2], &b[3])
	if err != nil {
		return ogcCollectionInfo{}, postgres.Translate(err, l.Name)
	}
	desc := l.Title + ". Filters: " + strings.Join(l.FilterParams(), ", ") + " (comma-separated values mean any of)."
	if editable(l) {
		desc += " Planners may create, replace and delete features."
	}
	desc += " CQL2 filters (filter, filter-lang cql2-text or cql2-json) over its queryables, sortby, properties, and crs/bbox-crs in " +
		strings.Join(crs.URIs(), ", ") + "."
	links := append(collectionLinks(base, l.Name),
		link{Href: base + "/ogc/collections/" + url.PathEscape(l.Name) + "/queryables", Rel: "http://www.opengis.net/def/rel/ogc/1.0/queryables",
			Type: "application/schema+json", Title: "What filters may name"},
		// The draft's relation name, which GDAL 3.6 follows.
		link{Href: base + "/ogc/collections/" + url.PathEscape(l.Name) + "/queryables", Rel: "queryables",
			Type: "application/json", Title: "What filters may name"},
		link{Href: base + "/ogc/collections/" + url.PathEscape(l.Name) + "/schema", Rel: "http://www.opengis.net/def/rel/ogc/1.0/schema",
			Type: "application/schema+json", Title: "The features' schema"})
	return ogcCollectionInfo{ID: l.Name, Title: l.Title, Description: desc, ItemType: "feature", CRS: crs.URIs(), StorageCRS: crs84,
		Extent: newExtent(b), Links: links}, nil
}

// planSitesSQL selects the finished plans whose result holds sites, with
// the sites' extent; $1 (when not NULL) picks one plan.
const planSitesSQL = `SELECT p.id::text, coalesce(p.params->>'name', ''), coalesce(p.params->>'problem', p.kind),
	coalesce(p.params->>'facility_type', ''), p.finished_at, ST_XMin(x.e), ST_YMin(x.e), ST_XMax(x.e), ST_YMax(x.e)
	FROM plan p
	CROSS JOIN LATERAL (SELECT ST_Extent(s.geom) AS e FROM plan_site s WHERE s.plan_id = p.id) x
	WHERE p.status = 'done' AND jsonb_typeof(p.result->'sites'->'features') = 'array'
	  AND ($1::uuid IS NULL OR p.id = $1::uuid)
	ORDER BY p.created_at DESC, p.id`

// planCollections describes finished plans' sites; with id, that plan's
// only (ErrNotFound when it is not a finished plan).
func (s *Server) planCollections(ctx context.Context, base string, id *string) ([]ogcCollectionInfo, error) {
	rows, err := s.Pool.Query(ctx, planSitesSQL, id)
	if err != nil {
		return nil, postgres.Translate(err, "plans")
	}
	var out []ogcCollectionInfo
	var pid, name, problem, ftype string
	var finished *time.Time
	var b [4]*float64
	_, err = pgx.ForEachRow(rows, []any{&pid, &name, &problem, &ftype, &finished, &b[0], &b[1], &b[2], &b[3]}, func() error {
		title := "Plan " + pid[:8]
		if name != "" {
			title += " (" + name + ")"
		}
		title += ": " + strings.TrimSpace(problem+" "+ftype) + " sites"
		desc := "Sites a finished plan suggests, with the reason for each (read-only)."
		if finished != nil {
			desc = fmt.Sprintf("Sites plan %s suggests (finished %s), with the reason for each (read-only).", pid, finished.UTC().Format(time.RFC3339))
		}
		cid := planCollection + pid
		out = append(out, ogcCollectionInfo{ID: cid, Title: title, Description: desc, ItemType: "feature", CRS: []string{crs84}, StorageCRS: crs84,
			Extent: newExtent(b), Links: append(collectionLinks(base, cid), allocationsLink(base, cid))})
		return nil
	})
	if err != nil {
		return nil, postgres.Translate(err, "plans")
	}
	if id != nil && len(out) == 0 {
		return nil, derrors.NotFound("no finished plan %s", *id)
	}
	return out, nil
}

// ogcTarget is what a collection id names: a layer, or a plan's sites.
type ogcTarget struct {
	layer  *layer.Layer
	planID string
	// allocations: the plan's allocation layer (plan-<id>-allocations).
	allocations bool
}

// target resolves the collection id in r; unknown ids are ErrNotFound.
func (s *Server) target(r *http.Request) (ogcTarget, error) {
	id := chi.URLParam(r, "collectionId")
	if pid, ok := strings.CutPrefix(id, planCollection); ok {
		pid, alloc := strings.CutSuffix(pid, allocationsSuffix)
		if !runs.ValidID(pid) {
			return ogcTarget{}, derrors.NotFound("no collection %q", id)
		}
		return ogcTarget{planID: strings.ToLower(pid), allocations: alloc}, nil
	}
	for _, l := range layer.All {
		if l.Name == id {
			return ogcTarget{layer: l}, nil
		}
	}
	return ogcTarget{}, derrors.NotFound("no collection %q (layers: %s, and plan-<id> and plan-<id>-allocations for finished plans)", id, strings.Join(layer.Names(), ", "))
}

func (s *Server) ogcCollections(w http.ResponseWriter, r *http.Request) error {
	base := baseURL(r)
	var cs []ogcCollectionInfo
	for _, l := range layer.All {
		c, err := s.layerCollection(r.Context(), base, l)
		if err != nil {
			return err
		}
		cs = append(cs, c)
	}
	plans, err := s.planCollections(r.Context(), base, nil)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, map[string]any{
		"links":       []link{{Href: base + "/ogc/collections", Rel: "self", Type: "application/json", Title: "This document"}},
		"collections": append(cs, plans...),
	})
}

func (s *Server) ogcCollection(w http.ResponseWriter, r *http.Request) error {
	t, err := s.target(r)
	if err != nil {
		return err
	}
	if t.layer != nil {
		c, err := s.layerCollection(r.Context(), baseURL(r), t.layer)
		if err != nil {
			return err
		}
		return writeJSON(w, http.StatusOK, c)
	}
	if t.allocations {
		return s.allocationCollection(w, r, t.planID)
	}
	cs, err := s.planCollections(r.Context(), baseURL(r), &t.planID)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, cs[0])
}

// ogcQuery adapts OGC query parameters to layer.ParseQuery: a limit above
// the maximum is lowered to it (OGC asks servers to clamp, not refuse),
// and datetime is accepted and ignored, the data having no time. Plan
// collections (layers false) are served in CRS84 only, without filters.
func ogcQuery(v url.Values, target string, layers bool) (url.Values, error) {
	out := url.Values{}
	for k, vals := range v {
		switch k {
		case "datetime":
			continue
		case "limit":
			if n, err := strconv.Atoi(vals[len(vals)-1]); err == nil && n > layer.MaxLimit {
				vals = []string{strconv.Itoa(layer.MaxLimit)}
			}
		case "crs", "bbox-crs":
			if c, err := crs.Parse(vals[len(vals)-1]); !layers && (err != nil || !c.Default()) {
				return nil, derrors.Invalid("%s: only %s is supported for %s", k, crs84, target)
			}
		case "filter", "filter-lang", "filter-crs", "sortby", "properties":
			if !layers {
				return nil, derrors.Invalid("%s: plan collections take no filter, sortby or properties; read a layer for those", k)
			}
		}
		out[k] = vals
	}
	return out, nil
}

// pageLinks are an items response's links: self, and next and prev when
// there are more pages.
func pageLinks(r *http.Request, id string, q layer.Query, c layer.Collection) []link {
	self := baseURL(r) + "/ogc/collections/" + url.PathEscape(id) + "/items"
	page := func(offset int) string {
		v := r.URL.Query()
		v.Set("limit", strconv.Itoa(q.Limit))
		v.Set("offset", strconv.Itoa(offset))
		return self + "?" + v.Encode()
	}
	here := self
	if r.URL.RawQuery != "" {
		here += "?" + r.URL.RawQuery
	}
	links := []link{
		{Href: here, Rel: "self", Type: geoJSONType, Title: "This page"},
		{Href: baseURL(r) + "/ogc/collections/" + url.PathEscape(id), Rel: "collection", Type: "application/json", Title: "The collection"},
	}
	if int64(q.Offset+c.Returned) < c.Matched {
		links = append(links, link{Href: page(q.Offset + q.Limit), Rel: "next", Type: geoJSONType, Title: "Next page"})
	}
	if q.Offset > 0 {
		links = append(links, link{Href: page(max(0, q.Offset-q.Limit)), Rel: "prev", Type: geoJSONType, Title: "Previous page"})
	}
	return links
}

func (s *Server) ogcItems(w http.ResponseWriter, r *http.Request) error {
	t, err := s.target(r)
	if err != nil {
		return err
	}
	id := chi.URLParam(r, "collectionId")
	v, err := ogcQuery(r.URL.Query(), id, t.layer != nil)
	if err != nil {
		return err
	}
	var buf bytes.Buffer
	var q layer.Query
	var c layer.Collection
	if t.layer != nil {
		if q, err = t.layer.ParseQuery(v, ogcDefaultLimit); err != nil {
			return err
		}
		c, err = s.readLayers().WriteCollection(r.Context(), &buf, t.layer, q, nil)
	} else {
		// Plan sites take no filters: a layer without any parses the rest.
		if q, err = (&layer.Layer{Name: id}).ParseQuery(v, ogcDefaultLimit); err != nil {
			return err
		}
		if t.allocations {
			c, err = s.writeAllocations(r.Context(), &buf, id, t.planID, q)
		} else {
			c, err = s.writePlanSites(r.Context(), &buf, id, t.planID, q)
		}
	}
	if err != nil {
		return err
	}
	links := pageLinks(r, id, q, c)
	// The page is the same while its features and links are: a weak ETag
	// (the timeStamp member differs between otherwise equal answers).
	etag := "W/" + contentETag(buf.Bytes(), links)
	if notModified(w, r, etag, crsOf(q)) {
		return nil
	}
	body, err := withMembers(buf.Bytes(), map[string]any{
		"links":     links,
		"timeStamp": time.Now().UTC().Format(time.RFC3339),
	})
	if err != nil {
		return err
	}
	w.Header().Set("Content-Type", geoJSONType)
	_, err = w.Write(body)
	return err
}

// crsOf is the CRS a query's coordinates are in.
func crsOf(q layer.Query) crs.CRS {
	if q.CRS.URI == "" {
		return crs.CRS84
	}
	return q.CRS
}

// contentETag is a quoted hash of body and the links that go with it.
func contentETag(body []byte, links []link) string {
	h := sha256.New()
	h.Write(body)
	if links != nil {
		b, _ := json.Marshal(links)
		h.Write(b)
	}
	return `"` + hex.EncodeToString(h.Sum(nil)[:16]) + `"`
}

// notModified sets the ETag, Content-Crs and Cache-Control headers of a
// feature answer and, when If-None-Match names etag (weakly compared),
// answers 304 and reports true.
func notModified(w http.ResponseWriter, r *http.Request, etag string, c crs.CRS) bool {
	h := w.Header()
	h.Set("ETag", etag)
	h.Set("Content-Crs", "<"+c.URI+">")
	h.Set("Cache-Control", "no-cache")
	if etagMatches(r.Header.Get("If-None-Match"), strings.TrimPrefix(etag, "W/")) {
		w.WriteHeader(http.StatusNotModified)
		return true
	}
	return false
}

// writePlanSites writes a page of a finished plan's sites as a GeoJSON
// FeatureCollection; ErrNotFound when there is no such finished plan.
func (s *Server) writePlanSites(ctx context.Context, buf *bytes.Buffer, name, planID string, q layer.Query) (layer.Collection, error) {
	var c layer.Collection
	if _, err := s.planCollections(ctx, "", &planID); err != nil {
		return c, err
	}
	var bbox [4]*float64
	if q.BBox != nil {
		bbox = [4]*float64{&q.BBox.Min[0], &q.BBox.Min[1], &q.BBox.Max[0], &q.BBox.Max[1]}
	}
	var features []byte
	err := s.Pool.QueryRow(ctx, `WITH s AS (
		  SELECT feature AS f, n FROM plan_site
		   WHERE plan_id = $1::uuid
		     AND ($2::float8 IS NULL OR geom && ST_MakeEnvelope($2, $3, $4, $5, 4326))),
		page AS (SELECT f, n FROM s ORDER BY n LIMIT $6 OFFSET $7)
		SELECT (SELECT count(*) FROM s), (SELECT count(*) FROM page)::int,
		       coalesce((SELECT jsonb_agg(f ORDER BY n) FROM page), '[]')::text`,
		planID, bbox[0], bbox[1], bbox[2], bbox[3], q.Limit, q.Offset).Scan(&c.Matched, &c.Returned, &features)
	if err != nil {
		return c, postgres.Translate(err, "plan sites")
	}
	head, err := json.Marshal(struct {
		Type           string `json:"type"`
		Name           string `json:"name"`
		NumberMatched  int64  `json:"numberMatched"`
		NumberReturned int    `json:"numberReturned"`
	}{"FeatureCollection", name, c.Matched, c.Returned})
	if err != nil {
		return c, err
	}
	buf.Write(head[:len(head)-1])
	buf.WriteString(`,"features":`)
	buf.Write(features)
	buf.WriteByte('}')
	return c, nil
}

func (s *Server) ogcItem(w http.ResponseWriter, r *http.Request) error {
	t, err := s.target(r)
	if err != nil {
		return err
	}
	id, fid := chi.URLParam(r, "collectionId"), chi.URLParam(r, "featureId")
	var f []byte
	q := layer.Query{CRS: crs.CRS84}
	if t.layer != nil {
		if !validKey(t.layer, fid) {
			return derrors.NotFound("%s has no feature %q", id, fid)
		}
		if q, err = itemQuery(t.layer, r.URL.Query()); err != nil {
			return err
		}
		f, err = s.readLayers().GetAs(r.Context(), t.layer, fid, q)
	} else if _, err = ogcQuery(r.URL.Query(), id, false); err != nil {
		return err
	} else if t.allocations {
		f, err = s.allocationItem(r.Context(), t.planID, fid)
	} else {
		err = s.Pool.QueryRow(r.Context(), `SELECT feature::text FROM plan_site
			WHERE plan_id = $1::uuid AND site_id = $2 ORDER BY n LIMIT 1`, t.planID, fid).Scan(&f)
		err = postgres.Translate(err, fmt.Sprintf("site %q of plan %s", fid, t.planID))
	}
	if err != nil {
		return err
	}
	if notModified(w, r, contentETag(f, nil), crsOf(q)) {
		return nil
	}
	return s.writeItem(w, r, http.StatusOK, id, fid, f)
}

// itemQuery reads the parameters of one feature: datum, crs and
// properties (others are ignored, as before Part 2).
func itemQuery(l *layer.Layer, v url.Values) (layer.Query, error) {
	only := url.Values{}
	for _, k := range []string{"datum", "crs", "properties"} {
		if v.Has(k) {
			only[k] = v[k]
		}
	}
	return l.ParseQuery(only, 1)
}

// validKey reports whether key can be a key of l: whole numbers for
// layers keyed by an integer column (roads).
func validKey(l *layer.Layer, key string) bool {
	for _, f := range l.Fields {
		if f.Name == l.Key && f.Kind == layer.Integer {
			_, err := strconv.ParseInt(key, 10, 64)
			return err == nil
		}
	}
	return true
}

// writeItem writes one feature with its self and collection links.
func (s *Server) writeItem(w http.ResponseWriter, r *http.Request, status int, id, fid string, f []byte) error {
	c := baseURL(r) + "/ogc/collections/" + url.PathEscape(id)
	body, err := withMembers(f, map[string]any{"links": []link{
		{Href: c + "/items/" + url.PathEscape(fid), Rel: "self", Type: geoJSONType, Title: "This feature"},
		{Href: c, Rel: "collection", Type: "application/json", Title: "The collection"},
	}})
	if err != nil {
		return err
	}
	w.Header().Set("Content-Type", geoJSONType)
	w.WriteHeader(status)
	_, err = w.Write(body)
	return err
}

// editableTarget resolves a collection that planners may write: other
// collections answer 405 with the methods they allow.
func (s *Server) editableTarget(w http.ResponseWriter, r *http.Request) (*layer.Layer, error) {
	t, err := s.target(r)
	if err != nil {
		return nil, err
	}
	if t.layer == nil || !editable(t.layer) {
		w.Header().Set("Allow", "GET")
		return nil, &statusError{status: http.StatusMethodNotAllowed,
			msg: fmt.Sprintf("collection %s is read-only (editable: producers, facilities, candidates)", chi.URLParam(r, "collectionId"))}
	}
	return t.layer, nil
}

// ogcCreate answers POST /ogc/collections/{id}/items: a Feature (201 with
// Location and the stored feature) or a FeatureCollection (all or nothing).
func (s *Server) ogcCreate(w http.ResponseWriter, r *http.Request) error {
	l, err := s.editableTarget(w, r)
	if err != nil {
		return err
	}
	res, single, err := s.storeNew(w, r, l)
	if err != nil {
		return err
	}
	if !single || len(res.Keys) != 1 {
		return writeJSON(w, http.StatusCreated, map[string]any{"created": res.Rows, "ids": res.Keys})
	}
	f, err := s.Layers.Get(r.Context(), l, res.Keys[0])
	if err != nil {
		return err
	}
	w.Header().Set("Location", baseURL(r)+"/ogc/collections/"+l.Name+"/items/"+url.PathEscape(res.Keys[0]))
	return s.writeItem(w, r, http.StatusCreated, l.Name, res.Keys[0], f)
}

// ogcReplace answers PUT /ogc/collections/{id}/items/{fid}: the feature
// is replaced (404 when it does not exist).
func (s *Server) ogcReplace(w http.ResponseWriter, r *http.Request) error {
	l, err := s.editableTarget(w, r)
	if err != nil {
		return err
	}
	fid := chi.URLParam(r, "featureId")
	f, err := s.replaceOne(w, r, l, fid)
	if err != nil {
		return err
	}
	return s.writeItem(w, r, http.StatusOK, l.Name, fid, f)
}

// ogcDelete answers DELETE /ogc/collections/{id}/items/{fid} with 204.
func (s *Server) ogcDelete(w http.ResponseWriter, r *http.Request) error {
	l, err := s.editableTarget(w, r)
	if err != nil {
		return err
	}
	if err := s.Layers.Delete(r.Context(), l, chi.URLParam(r, "featureId")); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}
