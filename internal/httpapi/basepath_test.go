package httpapi_test

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/coldchain/coldchain/internal/auth"
	"github.com/coldchain/coldchain/internal/httpapi"
	"github.com/coldchain/coldchain/internal/postgres/pgtest"
)

// prefixProxy is a reverse proxy serving backend under prefix, which it
// strips (as nginx's "location /coldchain/ { proxy_pass http://backend/; }"
// with "proxy_set_header Host $host"); header adds X-Forwarded-Prefix.
func prefixProxy(t *testing.T, backend, prefix string, header bool) *httptest.Server {
	t.Helper()
	target, err := url.Parse(backend)
	if err != nil {
		t.Fatal(err)
	}
	rp := &httputil.ReverseProxy{Rewrite: func(pr *httputil.ProxyRequest) {
		pr.SetURL(target)
		pr.Out.Host = pr.In.Host
		pr.Out.URL.Path = "/" + strings.TrimPrefix(strings.TrimPrefix(pr.In.URL.Path, prefix), "/")
		pr.Out.URL.RawPath = ""
		if header {
			pr.Out.Header.Set("X-Forwarded-Prefix", prefix)
		}
	}}
	mux := http.NewServeMux()
	mux.Handle(prefix+"/", rp)
	ts := httptest.NewServer(mux)
	t.Cleanup(ts.Close)
	return ts
}

var hrefPattern = regexp.MustCompile(`"(?:href|url)"\s*:\s*"([^"]+)"|"tiles"\s*:\s*\["([^"]+)"`)

// TestBasePath serves the API behind a prefix-stripping proxy, with the
// prefix known from --base-path or from the proxy's X-Forwarded-Prefix:
// OGC links, TileJSON and style URLs, Location headers and the web UI's
// page all carry the prefix and work through the proxy.
func TestBasePath(t *testing.T) {
	pool := pgtest.Pool(t)
	planner := tokens(t, pool)[auth.Planner]
	page := `<!doctype html><html><head><script type="module" src="assets/app-X.js"></script></head><body></body></html>`
	webFS := fstest.MapFS{"index.html": {Data: []byte(page)}, "assets/app-X.js": {Data: []byte("console.log(1)")}}
	setups := []struct {
		name   string
		config string // Server.BasePath
		header bool   // the proxy sends X-Forwarded-Prefix
	}{
		{"--base-path", "/gis/coldchain", false},
		{"X-Forwarded-Prefix", "", true},
	}
	for _, c := range setups {
		t.Run(c.name, func(t *testing.T) {
			const prefix = "/gis/coldchain"
			ts, _ := gisServer(t, pool, func(s *httpapi.Server) { s.BasePath = c.config; s.Web = webFS }, nil)
			px := prefixProxy(t, ts.URL, prefix, c.header)
			root := px.URL + prefix
			for _, path := range []string{"/ogc", "/ogc/collections", "/ogc/collections/producers/items?limit=1", "/tiles/producers.json", "/styles/coldchain.json"} {
				status, _, body := call(t, "GET", root+path, "", "")
				if status != 200 {
					t.Fatalf("GET %s through the proxy: %d %.300s", path, status, body)
				}
				links := hrefPattern.FindAllSubmatch(body, -1)
				if len(links) == 0 {
					t.Fatalf("GET %s: no links in %.300s", path, body)
				}
				for _, m := range links {
					link := string(m[1]) + string(m[2])
					if !strings.HasPrefix(link, root+"/") {
						t.Errorf("GET %s: link %s does not start with %s/", path, link, root)
					}
				}
			}
			checkStyleTiles(t, root)
			checkLocation(t, root, prefix, planner)
			checkPage(t, root, prefix)
		})
	}
	t.Run("prefix kept by the proxy", func(t *testing.T) {
		ts, _ := gisServer(t, pool, func(s *httpapi.Server) { s.BasePath = "/coldchain" }, nil)
		if status, _, body := call(t, "GET", ts.URL+"/coldchain/api/v1/classes", "", ""); status != 200 {
			t.Fatalf("GET /coldchain/api/v1/classes: %d %.200s", status, body)
		}
		if status, _, _ := call(t, "GET", ts.URL+"/api/v1/classes", "", ""); status != 200 {
			t.Fatalf("GET /api/v1/classes without the prefix: %d", status)
		}
	})
}

// checkStyleTiles fetches a vector tile through the style's tile URL.
func checkStyleTiles(t *testing.T, root string) {
	t.Helper()
	_, _, body := call(t, "GET", root+"/styles/coldchain.json", "", "")
	var style struct {
		Sources map[string]struct {
			Tiles []string `json:"tiles"`
		} `json:"sources"`
	}
	if err := json.Unmarshal(body, &style); err != nil || len(style.Sources["coldchain"].Tiles) != 1 {
		t.Fatalf("style: %v %.200s", err, body)
	}
	fetchTile(t, strings.NewReplacer("{z}", "9", "{x}", "418", "{y}", "216").Replace(style.Sources["coldchain"].Tiles[0]))
}

// checkLocation creates a producer through the proxy: the Location header
// carries the prefix and leads to the feature.
func checkLocation(t *testing.T, root, prefix, token string) {
	t.Helper()
	feature := `{"type":"Feature","properties":{"id":"bp1","name":"Farm","operator_type":"cooperative","product_class":"citrus","annual_output_t":10},"geometry":{"type":"Point","coordinates":[114.1,26.6]}}`
	status, h, body := call(t, "POST", root+"/api/v1/producers", token, feature, "Content-Type", "application/geo+json")
	if status != 201 {
		t.Fatalf("POST through the proxy: %d %.300s", status, body)
	}
	loc := h.Get("Location")
	if loc != prefix+"/api/v1/producers/bp1" {
		t.Fatalf("Location %q, want %s/api/v1/producers/bp1", loc, prefix)
	}
	u, _ := url.Parse(root)
	if status, _, _ := call(t, "GET", u.Scheme+"://"+u.Host+loc, "", ""); status != 200 {
		t.Fatalf("GET Location %s: %d", loc, status)
	}
	call(t, "DELETE", root+"/api/v1/producers/bp1", token, "")
}

// checkPage: the map UI's page names the prefix in a <base>, so that its
// relative assets and the API client's paths resolve under it.
func checkPage(t *testing.T, root, prefix string) {
	t.Helper()
	status, _, body := call(t, "GET", root+"/", "", "")
	if status != 200 || !strings.Contains(string(body), `<base href="`+prefix+`/">`) {
		t.Fatalf("GET %s/: %d, want a <base href=%q>: %.300s", root, status, prefix+"/", body)
	}
	if status, _, _ := call(t, "GET", root+"/assets/app-X.js", "", ""); status != 200 {
		t.Fatalf("GET %s/assets/app-X.js: %d", root, status)
	}
}
