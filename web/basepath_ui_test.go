package web_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// TestUIBasePath opens the map UI through a reverse proxy that serves the
// real binary under /gis/coldchain (stripping the prefix, naming it in
// X-Forwarded-Prefix): the map draws the demo county's producers and key
// figures without console errors, and every file and API request the page
// makes stays under the prefix (anything else would miss the proxy).
func TestUIBasePath(t *testing.T) {
	chromium, out := browserTest(t, "ui-basepath")
	backend, _ := startServer(t)
	const prefix = "/gis/coldchain"
	target, err := url.Parse(backend)
	if err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	mux.Handle(prefix+"/", &httputil.ReverseProxy{Rewrite: func(pr *httputil.ProxyRequest) {
		pr.SetURL(target)
		pr.Out.Host = pr.In.Host
		pr.Out.URL.Path = "/" + strings.TrimPrefix(strings.TrimPrefix(pr.In.URL.Path, prefix), "/")
		pr.Out.URL.RawPath = ""
		pr.Out.Header.Set("X-Forwarded-Prefix", prefix)
	}})
	proxy := httptest.NewServer(mux)
	defer proxy.Close()
	root := proxy.URL + prefix

	browser := newBrowser(t, chromium)
	ctx, cancel := context.WithTimeout(browser, 2*time.Minute)
	defer cancel()
	u := &ui{t: t, ctx: ctx, root: browser, out: out, base: root}
	u.collectConsole()
	u.do(chromedp.Navigate(root + "/?lang=en"))
	u.wait("the map's first render", `document.body.dataset.ready === "1"`)
	u.wait("key figures and gaps", `document.body.dataset.coverage === "county|" && document.body.dataset.gaps === "0|"`)
	u.waitIdle()
	u.shot("basepath")
	var producers int
	u.eval(`__coldchain.map().queryRenderedFeatures({layers: ["producers"]}).length`, &producers)
	if producers < 200 {
		t.Errorf("only %d producers drawn under %s", producers, prefix)
	}
	var urls []string
	u.eval(`performance.getEntriesByType("resource").map((e) => e.name).concat([location.href])`, &urls)
	outside := 0
	for _, s := range urls {
		if strings.HasPrefix(s, "data:") || strings.HasPrefix(s, "blob:") {
			continue
		}
		if !strings.HasPrefix(s, root+"/") {
			outside++
			t.Errorf("the page requested %s, outside %s/", s, root)
		}
	}
	t.Logf("%d requests, all under %s/", len(urls)-outside, prefix)
	u.noConsoleErrors("under the base path")
}
