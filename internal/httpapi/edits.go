package httpapi

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/jackc/pgx/v5"

	"github.com/coldchain/coldchain/internal/audit"
	"github.com/coldchain/coldchain/internal/derrors"
	"github.com/coldchain/coldchain/internal/layer"
)

// editTarget is what an /api/v1 request writes or reads: a layer's
// feature (id set), a layer (create), or a plan.
type editTarget struct {
	layer  *layer.Layer
	plan   bool
	id     string
	action string // create|update|delete|plan|cancel|adopt; "" for a read
}

// targetOf classifies r by its path under /api/v1; ok is false for a
// request that is neither a feature read nor a write worth recording.
func targetOf(r *http.Request) (editTarget, bool) {
	rest, found := strings.CutPrefix(r.URL.Path, "/api/v1/")
	if !found {
		return editTarget{}, false
	}
	parts := strings.Split(strings.TrimSuffix(rest, "/"), "/")
	if parts[0] == "plans" && r.Method == http.MethodPost {
		switch {
		case len(parts) == 1:
			return editTarget{plan: true, action: "plan"}, true
		case len(parts) == 3 && (parts[2] == "cancel" || parts[2] == "adopt"):
			return editTarget{plan: true, id: parts[1], action: parts[2]}, true
		}
		return editTarget{}, false
	}
	l, err := layer.ByName(parts[0])
	if err != nil || len(parts) > 2 {
		return editTarget{}, false
	}
	t := editTarget{layer: l}
	switch {
	case len(parts) == 1 && r.Method == http.MethodPost:
		t.action = "create"
	case len(parts) == 2 && r.Method == http.MethodGet:
		t.id = parts[1]
	case len(parts) == 2 && r.Method == http.MethodPut:
		t.id, t.action = parts[1], "update"
	case len(parts) == 2 && r.Method == http.MethodDelete:
		t.id, t.action = parts[1], "delete"
	default:
		return editTarget{}, false
	}
	return t, true
}

// etagOf is a feature's entity tag: a hash of its GeoJSON as GET returns it.
func etagOf(feature []byte) string {
	sum := sha256.Sum256(feature)
	return `"` + hex.EncodeToString(sum[:16]) + `"`
}

// recorder holds a handler's response so that trackEdits can tag it and
// log it before it goes out.
type recorder struct {
	header http.Header
	status int
	body   bytes.Buffer
}

func (rec *recorder) Header() http.Header         { return rec.header }
func (rec *recorder) Write(b []byte) (int, error) { return rec.body.Write(b) }
func (rec *recorder) WriteHeader(status int) {
	if rec.status == 0 {
		rec.status = status
	}
}

// flush sends the held response to w.
func (rec *recorder) flush(w http.ResponseWriter) {
	for k, v := range rec.header {
		w.Header()[k] = v
	}
	if rec.status == 0 {
		rec.status = http.StatusOK
	}
	w.WriteHeader(rec.status)
	w.Write(rec.body.Bytes())
}

// trackEdits gives features an ETag (GET and PUT responses), refuses a
// PUT or DELETE whose If-Match names another version of the feature (412;
// edits of one feature are serialised by an advisory lock so that the
// check and the write cannot interleave with another edit), and records
// each successful write with the caller's token name in the edit log. A
// locked edit holds a connection for its lock while its write takes
// another, so at most half the pool's connections hold locks at once.
func (s *Server) trackEdits(next http.Handler) http.Handler {
	slots := make(chan struct{}, max(1, s.Pool.Config().MaxConns/2))
	return s.handle(func(w http.ResponseWriter, r *http.Request) error {
		t, ok := targetOf(r)
		if !ok {
			next.ServeHTTP(w, r)
			return nil
		}
		rec := &recorder{header: http.Header{}}
		if t.action == "update" || t.action == "delete" {
			select {
			case slots <- struct{}{}:
				defer func() { <-slots }()
			case <-r.Context().Done():
				return r.Context().Err()
			}
			err := pgx.BeginFunc(r.Context(), s.Pool, func(tx pgx.Tx) error {
				if _, err := tx.Exec(r.Context(), `SELECT pg_advisory_xact_lock(hashtext('coldchain edit ' || $1 || '/' || $2))`, t.layer.Name, t.id); err != nil {
					return err
				}
				if err := s.checkIfMatch(r, t); err != nil {
					return err
				}
				next.ServeHTTP(rec, r)
				return nil
			})
			if err != nil {
				return err
			}
		} else {
			next.ServeHTTP(rec, r)
		}
		if rec.status == 0 || rec.status < 300 {
			if err := s.afterEdit(r, t, rec); err != nil {
				return err
			}
		}
		rec.flush(w)
		return nil
	})
}

// checkIfMatch compares If-Match with the feature's current ETag.
func (s *Server) checkIfMatch(r *http.Request, t editTarget) error {
	want := r.Header.Get("If-Match")
	if want == "" || want == "*" {
		return nil
	}
	cur, err := s.Layers.Get(r.Context(), t.layer, t.id)
	if errors.Is(err, derrors.ErrNotFound) {
		return &statusError{status: http.StatusPreconditionFailed, msg: fmt.Sprintf("%s %s no longer exists: someone deleted it after you read it", t.layer.Name, t.id)}
	}
	if err != nil {
		return err
	}
	now := etagOf(cur)
	for _, tag := range strings.Split(want, ",") {
		if strings.TrimPrefix(strings.TrimSpace(tag), "W/") == now {
			return nil
		}
	}
	return &statusError{status: http.StatusPreconditionFailed, msg: fmt.Sprintf(
		"%s %s changed since you read it (its ETag is now %s, If-Match sent %s): GET it again, reapply your edit and send the new ETag", t.layer.Name, t.id, now, want)}
}

// afterEdit tags a successful feature response and logs a write.
func (s *Server) afterEdit(r *http.Request, t editTarget, rec *recorder) error {
	e := audit.Entry{Action: t.action, TargetID: t.id}
	e.Actor, e.TokenID = actor(r)
	switch {
	case t.layer != nil && (t.action == "" || t.action == "update" || t.action == "create") && rec.status != http.StatusNoContent:
		if t.id != "" || rec.header.Get("Location") != "" {
			e.ETag = etagOf(rec.body.Bytes())
			rec.header.Set("ETag", e.ETag)
		}
	}
	if t.action == "" {
		return nil
	}
	if t.layer != nil {
		e.Target = t.layer.Name
	} else {
		e.Target = "plans"
	}
	if loc := rec.header.Get("Location"); loc != "" && e.TargetID == "" {
		e.TargetID = loc[strings.LastIndex(loc, "/")+1:]
	}
	return (&audit.Log{Pool: s.Pool}).Record(context.WithoutCancel(r.Context()), e)
}

// listEdits answers GET /api/v1/edits: the edit log, newest first.
func (s *Server) listEdits(w http.ResponseWriter, r *http.Request) error {
	q := audit.Query{Target: r.URL.Query().Get("target"), TargetID: r.URL.Query().Get("id"), Limit: 100}
	if v := r.URL.Query().Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil {
			return derrors.Invalid("limit: want a whole number, got %q", v)
		}
		q.Limit = n
	}
	es, err := (&audit.Log{Pool: s.Pool}).List(r.Context(), q)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, map[string]any{"edits": es})
}
