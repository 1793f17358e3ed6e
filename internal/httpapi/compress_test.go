package httpapi_test

import (
	"bytes"
	"compress/gzip"
	"context"
	"io"
	"net/http"
	"regexp"
	"strings"
	"testing"

	"github.com/andybalholm/brotli"

	"github.com/coldchain/coldchain/internal/postgres/pgtest"
)

// rawGet sends GET url with an Accept-Encoding header (none when "") and
// returns the response with its body as sent, not decompressed.
func rawGet(t *testing.T, url, acceptEncoding string) (*http.Response, []byte) {
	t.Helper()
	req, err := http.NewRequestWithContext(context.Background(), "GET", url, nil)
	if err != nil {
		t.Fatal(err)
	}
	if acceptEncoding != "" {
		req.Header.Set("Accept-Encoding", acceptEncoding)
	}
	client := &http.Client{Transport: &http.Transport{DisableCompression: true}}
	resp, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp, b
}

func decode(t *testing.T, encoding string, b []byte) []byte {
	t.Helper()
	var r io.Reader
	switch encoding {
	case "gzip":
		zr, err := gzip.NewReader(bytes.NewReader(b))
		if err != nil {
			t.Fatalf("not gzip: %v", err)
		}
		r = zr
	case "br":
		r = brotli.NewReader(bytes.NewReader(b))
	default:
		return b
	}
	out, err := io.ReadAll(r)
	if err != nil {
		t.Fatalf("not %s: %v", encoding, err)
	}
	return out
}

// timeStamps are OGC API items' response times, to the second.
var timeStamps = regexp.MustCompile(`"timeStamp":\s*"[^"]*"`)

// sameSecond blanks the response time of an OGC API items page, so that
// two reads of it a second apart compare equal.
func sameSecond(b []byte) []byte {
	return timeStamps.ReplaceAll(b, []byte(`"timeStamp":""`))
}

// TestCompression: JSON, GeoJSON, OGC items and vector tiles come back in
// the coding the client weighs most (gzip or br, never one it refuses
// with q=0), with Vary: Accept-Encoding, and decode to the very bytes of
// the uncompressed response.
func TestCompression(t *testing.T) {
	pool := pgtest.Pool(t)
	loadDemo(t, pool)
	ts, _ := gisServer(t, pool, nil, nil)
	paths := []string{
		"/api/v1/producers?limit=200",
		"/ogc/collections/producers/items?limit=100",
		"/api/v1/classes",
		"/tiles/producers,regions/9/418/216.mvt",
	}
	encodings := []struct{ accept, want string }{
		{"gzip", "gzip"},
		{"br", "br"},
		{"gzip, deflate, br", "br"},
		{"gzip;q=1.0, br;q=0.5", "gzip"},
		{"br;q=0, gzip;q=0", ""},
		{"identity", ""},
	}
	for _, path := range paths {
		plain, want := rawGet(t, ts.URL+path, "")
		if plain.StatusCode != 200 || plain.Header.Get("Content-Encoding") != "" {
			t.Fatalf("GET %s without Accept-Encoding: %d, Content-Encoding %q", path, plain.StatusCode, plain.Header.Get("Content-Encoding"))
		}
		for _, e := range encodings {
			resp, body := rawGet(t, ts.URL+path, e.accept)
			got := resp.Header.Get("Content-Encoding")
			if resp.StatusCode != 200 || got != e.want {
				t.Errorf("GET %s, Accept-Encoding %q: %d, Content-Encoding %q, want %q", path, e.accept, resp.StatusCode, got, e.want)
				continue
			}
			if e.want != "" && !strings.Contains(resp.Header.Get("Vary"), "Accept-Encoding") {
				t.Errorf("GET %s, %s: Vary %q lacks Accept-Encoding", path, e.accept, resp.Header.Get("Vary"))
			}
			if e.want != "" && len(body) >= len(want) {
				t.Errorf("GET %s, %s: %d bytes, not smaller than %d uncompressed", path, e.want, len(body), len(want))
			}
			if !bytes.Equal(sameSecond(decode(t, got, body)), sameSecond(want)) {
				t.Errorf("GET %s, %s: decodes to other bytes than the uncompressed response", path, e.accept)
			}
			if e.accept == "gzip" || e.accept == "br" {
				t.Logf("%s: %d bytes, %s %d", path, len(want), e.accept, len(body))
			}
		}
	}
}
