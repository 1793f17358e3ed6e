package web

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io/fs"
	"mime"
	"net/http"
	"path"
	"regexp"
	"strings"
	"sync"
	"time"
)

// contentTypes pins the types a browser is strict about (module scripts
// and workers need a JavaScript type) instead of trusting the system's
// mime tables.
var contentTypes = map[string]string{
	".html": "text/html; charset=utf-8",
	".js":   "text/javascript; charset=utf-8",
	".mjs":  "text/javascript; charset=utf-8",
	".css":  "text/css; charset=utf-8",
	".json": "application/json",
	".svg":  "image/svg+xml",
	".png":  "image/png",
	".txt":  "text/plain; charset=utf-8",
}

// notBuilt is the page / shows when the UI's build output is missing.
const notBuilt = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>coldchain: UI not built</title>
<style>body{font:16px/1.5 system-ui,sans-serif;max-width:40em;margin:4em auto;padding:0 1em;color:#1d2733}
code{background:#eef1f4;padding:.1em .3em;border-radius:3px}</style></head>
<body><h1>UI not built: run <code>make</code></h1>
<p>This coldchain binary was built without the map UI. Build it with <code>make build</code>
(or <code>make web</code>, then <code>go build ./cmd/coldchain</code>): it runs
<code>npm ci</code> and <code>npm run build</code> in <code>web/</code>, which need Node.js and npm.</p>
<p>界面尚未构建：请运行 <code>make</code>。</p>
<p>The API works without it: <a href="/api/v1/regions?limit=10">/api/v1</a>, <a href="/healthz">/healthz</a>.</p>
</body></html>
`

// Handler serves the UI in fsys (as FS returns it): index.html at /,
// hashed assets under /assets/ cached for a year, everything else
// revalidated by ETag. A file with a .gz sibling is sent compressed to
// clients that accept gzip. Behind a reverse proxy under a sub-path (the
// request's X-Forwarded-Prefix) the page gets a <base> naming it. When fsys holds no index.html, / answers 503
// with a page saying how to build the UI.
func Handler(fsys fs.FS) http.Handler {
	return &handler{fsys: fsys}
}

type handler struct {
	fsys  fs.FS
	etags sync.Map // file name -> quoted ETag
}

func (h *handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		w.Header().Set("Allow", "GET, HEAD")
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	name := strings.TrimPrefix(path.Clean("/"+r.URL.Path), "/")
	if name == "" {
		name = "index.html"
	}
	body, err := fs.ReadFile(h.fsys, name)
	if err != nil {
		if name == "index.html" && errors.Is(err, fs.ErrNotExist) {
			w.Header().Set("Content-Type", "text/html; charset=utf-8")
			w.Header().Set("Cache-Control", "no-store")
			w.WriteHeader(http.StatusServiceUnavailable)
			_, _ = w.Write([]byte(notBuilt))
			return
		}
		http.NotFound(w, r)
		return
	}
	ext := path.Ext(name)
	ct, ok := contentTypes[ext]
	if !ok {
		ct = mime.TypeByExtension(ext)
	}
	if ct == "" {
		ct = http.DetectContentType(body)
	}
	hd := w.Header()
	hd.Set("Content-Type", ct)
	hd.Set("X-Content-Type-Options", "nosniff")
	if strings.HasPrefix(name, "assets/") {
		hd.Set("Cache-Control", "public, max-age=31536000, immutable")
	} else {
		hd.Set("Cache-Control", "no-cache")
	}
	hd.Add("Vary", "Accept-Encoding")
	served := name
	if prefix := r.Header.Get("X-Forwarded-Prefix"); name == "index.html" && prefixPattern.MatchString(prefix) {
		// Under a sub-path the page's relative asset URLs and the API
		// client's paths resolve against a <base> naming it.
		body = bytes.Replace(body, []byte("<head>"), []byte(`<head>`+"\n"+`<base href="`+prefix+`/">`), 1)
		served = name + "@" + prefix
	} else if acceptsGzip(r.Header.Get("Accept-Encoding")) {
		if gz, err := fs.ReadFile(h.fsys, name+".gz"); err == nil {
			body, served = gz, name+".gz"
			hd.Set("Content-Encoding", "gzip")
		}
	}
	hd.Set("ETag", h.etag(served, body))
	http.ServeContent(w, r, name, time.Time{}, bytes.NewReader(body))
}

// etag returns a strong ETag for a file's bytes, computed once.
func (h *handler) etag(name string, body []byte) string {
	if v, ok := h.etags.Load(name); ok {
		return v.(string)
	}
	sum := sha256.Sum256(body)
	tag := `"` + hex.EncodeToString(sum[:10]) + `"`
	h.etags.Store(name, tag)
	return tag
}

// prefixPattern is a sub-path the server is reached under (the API's
// middleware sets X-Forwarded-Prefix to it, checked the same way).
var prefixPattern = regexp.MustCompile(`^(/[A-Za-z0-9._~-]+)+$`)

// acceptsGzip reports whether an Accept-Encoding header allows gzip.
func acceptsGzip(header string) bool {
	for _, part := range strings.Split(header, ",") {
		coding, params, _ := strings.Cut(strings.TrimSpace(part), ";")
		if !strings.EqualFold(strings.TrimSpace(coding), "gzip") {
			continue
		}
		params = strings.ReplaceAll(params, " ", "")
		return params != "q=0" && params != "q=0.0" && params != "q=0.00" && params != "q=0.000"
	}
	return false
}
