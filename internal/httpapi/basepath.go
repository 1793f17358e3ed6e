package httpapi

import (
	"fmt"
	"net/http"
	"regexp"
	"strings"
)

// basePathPattern is what a base path may be: /seg or /seg/seg …, URL-safe
// characters only, no trailing slash.
var basePathPattern = regexp.MustCompile(`^(/[A-Za-z0-9._~-]+)+$`)

// maxBasePath bounds a base path's length.
const maxBasePath = 200

// CheckBasePath validates a base path (serve --base-path): "" (the root)
// or /seg/seg … without a trailing slash.
func CheckBasePath(p string) error {
	if p == "" || (len(p) <= maxBasePath && basePathPattern.MatchString(p)) {
		return nil
	}
	return fmt.Errorf("%q: want a path like /coldchain or /gis/coldchain (letters, digits, . _ ~ -; no trailing slash, at most %d characters)", p, maxBasePath)
}

// underBasePath serves the API behind a reverse proxy that maps a sub-path
// to the server: the prefix is s.BasePath, or the proxy's
// X-Forwarded-Prefix when it sends a valid one. Requests that still carry
// the prefix have it removed (so a proxy may strip it or not). The prefix
// is left, normalised, in the request's X-Forwarded-Prefix (removed when
// there is none): baseURL builds links with it, root-relative Location
// headers get it, and the web UI's page is told it.
func (s *Server) underBasePath(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		prefix := s.BasePath
		if h := r.Header.Get("X-Forwarded-Prefix"); h != "" {
			h = strings.TrimRight(h, "/")
			if h == "" || CheckBasePath(h) == nil {
				prefix = h
			}
		}
		if prefix == "" {
			r.Header.Del("X-Forwarded-Prefix")
			next.ServeHTTP(w, r)
			return
		}
		r = r.Clone(r.Context())
		if p := r.URL.Path; p == prefix || strings.HasPrefix(p, prefix+"/") {
			r.URL.Path = "/" + strings.TrimPrefix(strings.TrimPrefix(p, prefix), "/")
			r.URL.RawPath = ""
		}
		r.Header.Set("X-Forwarded-Prefix", prefix)
		next.ServeHTTP(&prefixWriter{ResponseWriter: w, prefix: prefix}, r)
	})
}

// prefixWriter puts the base path in front of root-relative Location
// headers ("/api/v1/plans/ID").
type prefixWriter struct {
	http.ResponseWriter
	prefix string
	wrote  bool
}

func (w *prefixWriter) WriteHeader(code int) {
	if !w.wrote {
		w.wrote = true
		h := w.Header()
		if loc := h.Get("Location"); strings.HasPrefix(loc, "/") && !strings.HasPrefix(loc, "//") && !strings.HasPrefix(loc, w.prefix+"/") {
			h.Set("Location", w.prefix+loc)
		}
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *prefixWriter) Write(b []byte) (int, error) {
	if !w.wrote {
		w.WriteHeader(http.StatusOK)
	}
	return w.ResponseWriter.Write(b)
}

// Flush keeps streamed responses streamed.
func (w *prefixWriter) Flush() {
	if f, ok := w.ResponseWriter.(http.Flusher); ok {
		f.Flush()
	}
}

// Unwrap lets http.ResponseController reach the connection.
func (w *prefixWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }
