package web

import (
	"bytes"
	"compress/gzip"
	"io"
	"io/fs"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"
	"testing/fstest"
)

func gz(t *testing.T, s string) []byte {
	t.Helper()
	var b bytes.Buffer
	w := gzip.NewWriter(&b)
	w.Write([]byte(s))
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func TestHandler(t *testing.T) {
	js := strings.Repeat("console.log('coldchain');", 50)
	fsys := fstest.MapFS{
		"index.html":                {Data: []byte("<!doctype html><title>coldchain</title>")},
		"assets/app-ABC.js":         {Data: []byte(js)},
		"assets/app-ABC.js.gz":      {Data: gz(t, js)},
		"assets/worker-ABC.mjs":     {Data: []byte("self.onmessage = () => {};")},
		"assets/app-ABC.css":        {Data: []byte("body{margin:0}")},
		"build.json":                {Data: []byte(`{"all":{}}`)},
		"assets/unknown.weirdext42": {Data: []byte("plain words")},
	}
	h := Handler(fsys)
	tests := []struct {
		name, method, path, encoding string
		status                       int
		ctype, cache, cencoding      string
		body                         string
	}{
		{"index at root", "GET", "/", "", 200, "text/html; charset=utf-8", "no-cache", "", "<!doctype html>"},
		{"index by name", "GET", "/index.html", "", 200, "text/html; charset=utf-8", "no-cache", "", "<title>coldchain"},
		{"asset plain", "GET", "/assets/app-ABC.js", "", 200, "text/javascript; charset=utf-8", "public, max-age=31536000, immutable", "", "console.log"},
		{"asset gzip", "GET", "/assets/app-ABC.js", "gzip, deflate, br", 200, "text/javascript; charset=utf-8", "public, max-age=31536000, immutable", "gzip", js},
		{"gzip refused", "GET", "/assets/app-ABC.js", "gzip;q=0, br", 200, "text/javascript; charset=utf-8", "public, max-age=31536000, immutable", "", "console.log"},
		{"module worker", "GET", "/assets/worker-ABC.mjs", "gzip", 200, "text/javascript; charset=utf-8", "public, max-age=31536000, immutable", "", "self.onmessage"},
		{"css", "GET", "/assets/app-ABC.css", "", 200, "text/css; charset=utf-8", "public, max-age=31536000, immutable", "", "body{"},
		{"json", "GET", "/build.json", "", 200, "application/json", "no-cache", "", `{"all"`},
		{"unknown type sniffed", "GET", "/assets/unknown.weirdext42", "", 200, "text/plain; charset=utf-8", "public, max-age=31536000, immutable", "", "plain words"},
		{"head", "HEAD", "/", "", 200, "text/html; charset=utf-8", "no-cache", "", ""},
		{"missing", "GET", "/nope.js", "", 404, "text/plain; charset=utf-8", "", "", "404"},
		{"escape attempt", "GET", "/../embed.go", "", 404, "text/plain; charset=utf-8", "", "", "404"},
		{"post", "POST", "/", "", 405, "text/plain; charset=utf-8", "", "", "method not allowed"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			req := httptest.NewRequest(tc.method, tc.path, nil)
			if tc.encoding != "" {
				req.Header.Set("Accept-Encoding", tc.encoding)
			}
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, req)
			res := rec.Result()
			if res.StatusCode != tc.status {
				t.Fatalf("status %d, want %d", res.StatusCode, tc.status)
			}
			if got := res.Header.Get("Content-Type"); got != tc.ctype {
				t.Errorf("Content-Type %q, want %q", got, tc.ctype)
			}
			if got := res.Header.Get("Cache-Control"); got != tc.cache {
				t.Errorf("Cache-Control %q, want %q", got, tc.cache)
			}
			if got := res.Header.Get("Content-Encoding"); got != tc.cencoding {
				t.Errorf("Content-Encoding %q, want %q", got, tc.cencoding)
			}
			var body io.Reader = res.Body
			if tc.cencoding == "gzip" {
				zr, err := gzip.NewReader(res.Body)
				if err != nil {
					t.Fatal(err)
				}
				body = zr
			}
			b, _ := io.ReadAll(body)
			if tc.method == "HEAD" {
				if len(b) != 0 {
					t.Errorf("HEAD sent a body")
				}
				return
			}
			if !strings.Contains(string(b), tc.body) || (tc.cencoding == "gzip" && string(b) != tc.body) {
				t.Errorf("body %.80q, want %.80q", b, tc.body)
			}
		})
	}
}

func TestHandlerETag(t *testing.T) {
	h := Handler(fstest.MapFS{"index.html": {Data: []byte("<!doctype html>")}})
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest("GET", "/", nil))
	tag := rec.Header().Get("ETag")
	if tag == "" {
		t.Fatal("no ETag")
	}
	req := httptest.NewRequest("GET", "/", nil)
	req.Header.Set("If-None-Match", tag)
	rec = httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	if rec.Code != http.StatusNotModified {
		t.Errorf("revalidation answered %d, want 304", rec.Code)
	}
}

// TestNotBuilt checks that a binary built without `make web` says so at /.
func TestNotBuilt(t *testing.T) {
	fsys := fstest.MapFS{".placeholder": {Data: []byte("build output goes here")}}
	if Built(fsys) {
		t.Fatal("Built reports a UI in a folder holding only the placeholder")
	}
	rec := httptest.NewRecorder()
	Handler(fsys).ServeHTTP(rec, httptest.NewRequest("GET", "/", nil))
	if rec.Code != http.StatusServiceUnavailable {
		t.Errorf("status %d, want 503", rec.Code)
	}
	if !strings.Contains(rec.Body.String(), "UI not built: run <code>make</code>") {
		t.Errorf("page lacks the instruction:\n%s", rec.Body.String())
	}
	rec = httptest.NewRecorder()
	Handler(fsys).ServeHTTP(rec, httptest.NewRequest("GET", "/assets/app.js", nil))
	if rec.Code != http.StatusNotFound {
		t.Errorf("missing asset answered %d, want 404", rec.Code)
	}
}

// TestEmbedded checks the embedded build output: either the placeholder
// alone, or a complete UI whose page names assets that exist.
func TestEmbedded(t *testing.T) {
	fsys := FS()
	if !Built(fsys) {
		t.Log("UI not built (make web); only the placeholder is embedded")
		return
	}
	page, err := fs.ReadFile(fsys, "index.html")
	if err != nil {
		t.Fatal(err)
	}
	for _, ref := range refs(page) {
		if _, err := fs.ReadFile(fsys, strings.TrimPrefix(ref, "/")); err != nil {
			t.Errorf("index.html names %s: %v", ref, err)
		}
	}
	if len(refs(page)) != 3 {
		t.Errorf("index.html names %d assets, want the script, the style sheet and the worker: %v", len(refs(page)), refs(page))
	}
}

var assetRef = regexp.MustCompile(`"(assets/[^"]+)"`)

// refs returns the asset paths a page names (relative, so that the page
// works under a sub-path too).
func refs(page []byte) []string {
	var out []string
	for _, m := range assetRef.FindAllSubmatch(page, -1) {
		out = append(out, string(m[1]))
	}
	return out
}
