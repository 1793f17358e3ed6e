// Package httpapi is coldchain's HTTP interface (chi): health and metrics,
// the layer API (GeoJSON in and out), and the embedded map UI. Handlers are
// thin: parse input, call one method, write the result. Errors become RFC
// 9457 problem details through one table (writeError).
package httpapi

import (
	"bytes"
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/go-chi/chi/v5"
	"github.com/go-chi/chi/v5/middleware"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"

	"github.com/coldchain/coldchain/internal/access"
	"github.com/coldchain/coldchain/internal/auth"
	"github.com/coldchain/coldchain/internal/datum"
	"github.com/coldchain/coldchain/internal/derrors"
	"github.com/coldchain/coldchain/internal/ingest"
	"github.com/coldchain/coldchain/internal/layer"
	"github.com/coldchain/coldchain/internal/plan"
	"github.com/coldchain/coldchain/internal/runs"
)

// Server holds the HTTP interface's dependencies.
type Server struct {
	// Pool is the primary: writes, plans, and reads that must see them.
	Pool   *pgxpool.Pool
	Layers *layer.Store
	// Read, when set, is a pool on a streaming replica of the primary
	// (serve --read-database-url). It serves the reads that may lag the
	// primary by the replication delay: layer lists and features, product
	// classes, coverage and gaps, OGC items and vector tiles. Nil: every
	// read goes to Pool.
	Read    *pgxpool.Pool
	Travel  access.Model
	Plans   *plan.Service
	Log     *slog.Logger
	Version string
	// Web is the map UI's static files (index.html at the root).
	Web fs.FS
	// MaxBody caps request bodies (bytes).
	MaxBody int64
	// Tokens verifies API tokens. Nil turns authentication off: every
	// caller may do everything (tests, embedding); serve always sets it.
	Tokens *auth.Store
	// ReadAuth requires a token (any role) for reads too.
	ReadAuth bool
	// CORSOrigins lists the origins allowed to call the API from a
	// browser; empty: no CORS.
	CORSOrigins []string
	// PlanRate caps plan submissions per token per PlanRateWindow (0: no cap).
	PlanRate       int
	PlanRateWindow time.Duration
	// TileLimit caps the features of one layer in one vector tile
	// (default DefaultTileLimit).
	TileLimit int
	// BasePath is the sub-path a reverse proxy serves the server under
	// (/coldchain), "" at the root; see CheckBasePath.
	BasePath string

	ready    readiness
	registry *prometheus.Registry
	requests *prometheus.CounterVec
	duration *prometheus.HistogramVec
}

// New returns a server over pool; plans run on svc (nil: no plan routes
// work) with travel times from travel.
func New(pool *pgxpool.Pool, travel access.Model, svc *plan.Service, log *slog.Logger, version string, web fs.FS) *Server {
	s := &Server{Pool: pool, Layers: &layer.Store{Pool: pool}, Travel: travel, Plans: svc, Log: log, Version: version, Web: web, MaxBody: 64 << 20,
		PlanRate: 20, PlanRateWindow: time.Minute, TileLimit: DefaultTileLimit}
	s.registry = prometheus.NewRegistry()
	s.requests = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "coldchain_http_requests_total", Help: "HTTP requests by route pattern, method and status.",
	}, []string{"route", "method", "status"})
	s.duration = prometheus.NewHistogramVec(prometheus.HistogramOpts{
		Name: "coldchain_http_request_duration_seconds", Help: "HTTP request durations by route pattern.",
		Buckets: prometheus.DefBuckets,
	}, []string{"route", "method"})
	s.registry.MustRegister(s.requests, s.duration,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
		newPoolCollector(pool),
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "coldchain_plan_queue_length", Help: "Plans waiting for a worker."},
			func() float64 {
				if s.Plans == nil {
					return 0
				}
				return float64(s.Plans.QueueLen())
			}))
	return s
}

// Handler returns the router with every route.
func (s *Server) Handler() http.Handler {
	return s.routes()
}

// handler is an HTTP handler that returns an error instead of writing it.
type handler func(w http.ResponseWriter, r *http.Request) error

// handle adapts a handler: errors are written once, by writeError.
func (s *Server) handle(h handler) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if err := h(w, r); err != nil {
			s.writeError(w, r, err)
		}
	}
}

// statusError carries an explicit status and a user-safe message.
type statusError struct {
	status int
	msg    string
}

func (e *statusError) Error() string { return e.msg }

// problem is an RFC 9457 problem details object.
type problem struct {
	Type     string             `json:"type"`
	Title    string             `json:"title"`
	Status   int                `json:"status"`
	Detail   string             `json:"detail,omitempty"`
	Instance string             `json:"instance,omitempty"`
	PlanID   string             `json:"plan_id,omitempty"`
	Errors   []derrors.RowError `json:"errors,omitempty"`
}

// writeError maps err to a status (the one table of it) and writes a
// problem; clients get a safe message, the log gets the whole chain.
func (s *Server) writeError(w http.ResponseWriter, r *http.Request, err error) {
	status := http.StatusInternalServerError
	detail := "internal error; see the server log"
	var se *statusError
	var maxErr *http.MaxBytesError
	var rows derrors.RowErrors
	var infeasible *runs.InfeasibleError
	planID := ""
	switch {
	case errors.As(err, &infeasible):
		status, detail, planID = http.StatusUnprocessableEntity, derrors.Message(err, "the plan cannot be met"), infeasible.PlanID
	case errors.As(err, &se):
		status, detail = se.status, se.msg
	case errors.As(err, &maxErr):
		status, detail = http.StatusRequestEntityTooLarge, fmt.Sprintf("request body larger than %d bytes", maxErr.Limit)
	case errors.Is(err, derrors.ErrInvalid):
		status, detail = http.StatusBadRequest, derrors.Message(err, "invalid input")
		if errors.As(err, &rows) {
			detail = fmt.Sprintf("%d problem(s) in the input; nothing was written", len(rows))
		}
	case errors.Is(err, derrors.ErrNotFound):
		status, detail = http.StatusNotFound, derrors.Message(err, "not found")
	case errors.Is(err, derrors.ErrConflict):
		status, detail = http.StatusConflict, derrors.Message(err, "conflict")
	case errors.Is(err, derrors.ErrUnavailable):
		status, detail = http.StatusServiceUnavailable, derrors.Message(err, "the database is unavailable; try again shortly")
	case errors.Is(err, context.Canceled):
		status, detail = 499, "request cancelled"
	case errors.Is(err, context.DeadlineExceeded):
		status, detail = http.StatusServiceUnavailable, "the request took too long"
	}
	level := slog.LevelInfo
	if status >= 500 {
		level = slog.LevelError
	}
	s.Log.Log(r.Context(), level, "request failed", "method", r.Method, "path", r.URL.Path, "status", status,
		"request_id", middleware.GetReqID(r.Context()), "err", err)
	p := problem{Type: "about:blank", Title: http.StatusText(status), Status: status, Detail: detail, Instance: r.URL.Path, Errors: rows, PlanID: planID}
	if status == 499 {
		p.Title = "Client Closed Request"
	}
	if wantsChinese(r) {
		p.Title, p.Detail = cmp.Or(derrors.ChineseTitle(status), p.Title), derrors.Chinese(p.Detail)
	}
	w.Header().Set("Content-Type", "application/problem+json")
	if status == http.StatusServiceUnavailable {
		w.Header().Set("Retry-After", "30")
	}
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(p)
}

func writeJSON(w http.ResponseWriter, status int, v any) error {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	return json.NewEncoder(w).Encode(v)
}

// logRequests writes one log line per request and counts it for /metrics
// by route pattern (never by raw path, to bound label cardinality).
func (s *Server) logRequests(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		ww := middleware.NewWrapResponseWriter(w, r.ProtoMajor)
		next.ServeHTTP(ww, r)
		d := time.Since(start)
		route := "unmatched"
		if rc := chi.RouteContext(r.Context()); rc != nil && rc.RoutePattern() != "" {
			route = rc.RoutePattern()
		}
		status := ww.Status()
		if status == 0 {
			status = http.StatusOK
		}
		s.requests.WithLabelValues(route, r.Method, fmt.Sprint(status)).Inc()
		s.duration.WithLabelValues(route, r.Method).Observe(d.Seconds())
		s.Log.Info("request", "method", r.Method, "path", r.URL.Path, "route", route, "status", status,
			"bytes", ww.BytesWritten(), "duration", d, "request_id", middleware.GetReqID(r.Context()))
	})
}

func (s *Server) healthz(w http.ResponseWriter, r *http.Request) error {
	return writeJSON(w, http.StatusOK, map[string]string{"status": "ok", "version": s.Version})
}

// readyz answers 200 when the database answers, else 503. It pings on a
// connection of its own, so a pool busy with requests does not make a
// healthy database look down. With a read replica, both must answer.
func (s *Server) readyz(w http.ResponseWriter, r *http.Request) error {
	ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
	defer cancel()
	if err := s.ready.ping(ctx, s.Pool); err != nil {
		s.Log.Warn("database not ready", "err", err)
		return &statusError{status: http.StatusServiceUnavailable, msg: "the database is unavailable"}
	}
	if s.Read != nil {
		if err := s.Read.Ping(ctx); err != nil {
			s.Log.Warn("read replica not ready", "err", err)
			return &statusError{status: http.StatusServiceUnavailable, msg: "the read replica is unavailable"}
		}
	}
	return writeJSON(w, http.StatusOK, map[string]string{"status": "ready"})
}

// readPool is the pool for reads that may lag the primary: the replica
// when there is one.
func (s *Server) readPool() *pgxpool.Pool {
	if s.Read != nil {
		return s.Read
	}
	return s.Pool
}

// readLayers is the layer store for reads that may lag the primary.
func (s *Server) readLayers() *layer.Store {
	if s.Read != nil {
		return &layer.Store{Pool: s.Read}
	}
	return s.Layers
}

func (s *Server) layerOf(r *http.Request) (*layer.Layer, error) {
	l, err := layer.ByName(chi.URLParam(r, "layer"))
	if err != nil {
		return nil, derrors.NotFound("%v", err)
	}
	return l, nil
}

func (s *Server) listClasses(w http.ResponseWriter, r *http.Request) error {
	var body []byte
	err := s.readPool().QueryRow(r.Context(), `SELECT coalesce(json_agg(c ORDER BY c.code), '[]')::text FROM product_class c`).Scan(&body)
	if err != nil {
		return err
	}
	w.Header().Set("Content-Type", "application/json")
	_, err = w.Write(body)
	return err
}

func (s *Server) listFeatures(w http.ResponseWriter, r *http.Request) error {
	l, err := s.layerOf(r)
	if err != nil {
		return err
	}
	q, err := l.ParseQuery(r.URL.Query(), 1000)
	if err != nil {
		return err
	}
	// Buffer so that a database error still becomes a clean problem response.
	var buf bytes.Buffer
	if _, err := s.readLayers().WriteCollection(r.Context(), &buf, l, q, nil); err != nil {
		return err
	}
	w.Header().Set("Content-Type", "application/geo+json")
	_, err = buf.WriteTo(w)
	return err
}

func (s *Server) getFeature(w http.ResponseWriter, r *http.Request) error {
	l, err := s.layerOf(r)
	if err != nil {
		return err
	}
	d, err := datumParam(r)
	if err != nil {
		return err
	}
	f, err := s.readLayers().GetIn(r.Context(), l, chi.URLParam(r, "id"), d)
	if err != nil {
		return err
	}
	w.Header().Set("Content-Type", "application/geo+json")
	_, err = w.Write(f)
	return err
}

// datumParam reads the optional datum=wgs84|gcj02|bd09 of a feature read:
// the coordinates come back in that datum, for Chinese web maps.
func datumParam(r *http.Request) (datum.Datum, error) {
	d, err := datum.Parse(r.URL.Query().Get("datum"))
	if err != nil {
		return "", derrors.Invalid("datum: %v", err)
	}
	return d, nil
}

// readFeatures reads a Feature or FeatureCollection body as a collection.
// forceID, when set, becomes the id of a single feature.
func (s *Server) readFeatures(w http.ResponseWriter, r *http.Request, forceID string) ([]byte, bool, error) {
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, s.MaxBody))
	if err != nil {
		return nil, false, err
	}
	if len(bytes.TrimSpace(body)) == 0 {
		return nil, false, derrors.Invalid("the body is empty: send a GeoJSON Feature or FeatureCollection")
	}
	var head struct {
		Type string `json:"type"`
	}
	if err := json.Unmarshal(body, &head); err != nil {
		return nil, false, derrors.Invalid("the body is not a JSON object (want a GeoJSON Feature or FeatureCollection): %s", jsonProblem(err, body))
	}
	switch head.Type {
	case "FeatureCollection":
		if forceID != "" {
			return nil, false, derrors.Invalid("want a single GeoJSON Feature")
		}
		return body, false, nil
	case "Feature":
		if forceID != "" {
			var f map[string]any
			if err := json.Unmarshal(body, &f); err != nil {
				return nil, false, derrors.Invalid("the body is not a GeoJSON Feature: %s", jsonProblem(err, body))
			}
			if id, ok := f["id"]; ok && id != nil && fmt.Sprint(id) != forceID {
				return nil, false, derrors.Invalid("the feature's id %v differs from %s in the URL", id, forceID)
			}
			f["id"] = forceID
			body, _ = json.Marshal(f)
		}
		return append(append([]byte(`{"type":"FeatureCollection","features":[`), body...), ']', '}'), true, nil
	}
	return nil, false, derrors.Invalid(`want a GeoJSON Feature or FeatureCollection, got type %q`, head.Type)
}

// storeNew stores the Feature or FeatureCollection of the request body in
// layer l, all or nothing; single says the body was one Feature.
func (s *Server) storeNew(w http.ResponseWriter, r *http.Request, l *layer.Layer) (res layer.LoadResult, single bool, err error) {
	body, single, err := s.readFeatures(w, r, "")
	if err != nil {
		return res, false, err
	}
	res, err = ingest.Import(r.Context(), s.Layers, l, bytes.NewReader(body), ingest.Options{Format: ingest.GeoJSON, ReturnKeys: true})
	return res, single, err
}

// replaceOne replaces feature id of layer l with the request body's
// Feature and returns the stored feature (ErrNotFound if id does not exist).
func (s *Server) replaceOne(w http.ResponseWriter, r *http.Request, l *layer.Layer, id string) (json.RawMessage, error) {
	if _, err := s.Layers.Get(r.Context(), l, id); err != nil {
		return nil, err
	}
	body, _, err := s.readFeatures(w, r, id)
	if err != nil {
		return nil, err
	}
	if _, err := ingest.Import(r.Context(), s.Layers, l, bytes.NewReader(body), ingest.Options{Format: ingest.GeoJSON, Mode: layer.Update}); err != nil {
		return nil, err
	}
	return s.Layers.Get(r.Context(), l, id)
}

func (s *Server) createFeatures(w http.ResponseWriter, r *http.Request) error {
	l, err := s.layerOf(r)
	if err != nil {
		return err
	}
	res, single, err := s.storeNew(w, r, l)
	if err != nil {
		return err
	}
	if single && len(res.Keys) == 1 {
		f, err := s.Layers.Get(r.Context(), l, res.Keys[0])
		if err != nil {
			return err
		}
		w.Header().Set("Location", "/api/v1/"+l.Name+"/"+res.Keys[0])
		w.Header().Set("Content-Type", "application/geo+json")
		w.WriteHeader(http.StatusCreated)
		_, err = w.Write(f)
		return err
	}
	out := map[string]any{"created": res.Rows, "ids": res.Keys}
	if len(res.Warnings) > 0 {
		out["warnings"] = localWarnings(r, res.Warnings)
	}
	return writeJSON(w, http.StatusCreated, out)
}

func (s *Server) replaceFeature(w http.ResponseWriter, r *http.Request) error {
	l, err := s.layerOf(r)
	if err != nil {
		return err
	}
	f, err := s.replaceOne(w, r, l, chi.URLParam(r, "id"))
	if err != nil {
		return err
	}
	w.Header().Set("Content-Type", "application/geo+json")
	_, err = w.Write(f)
	return err
}

func (s *Server) deleteFeature(w http.ResponseWriter, r *http.Request) error {
	l, err := s.layerOf(r)
	if err != nil {
		return err
	}
	if err := s.Layers.Delete(r.Context(), l, chi.URLParam(r, "id")); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// wantsChinese reports whether the client asked for Chinese texts:
// ?lang=zh, or an Accept-Language whose first choice is Chinese.
func wantsChinese(r *http.Request) bool {
	if l := r.URL.Query().Get("lang"); l != "" {
		return strings.HasPrefix(l, "zh")
	}
	return strings.HasPrefix(strings.ToLower(strings.TrimSpace(r.Header.Get("Accept-Language"))), "zh")
}

// localWarnings are warnings in the language the request asks for.
func localWarnings(r *http.Request, ws []string) []string {
	if !wantsChinese(r) {
		return ws
	}
	out := make([]string, len(ws))
	for i, w := range ws {
		out[i] = derrors.Chinese(w)
	}
	return out
}
