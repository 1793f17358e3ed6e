package httpapi_test

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/coldchain/coldchain/internal/postgres/pgtest"
)

// styleValidator returns the MapLibre style spec's validator
// (gl-style-validate of @maplibre/maplibre-gl-style-spec, which the map
// UI's maplibre-gl depends on), installing web/'s npm packages when they
// are missing. Without Node.js the test is skipped, except in CI.
func styleValidator(t *testing.T) string {
	t.Helper()
	if _, err := exec.LookPath("node"); err != nil {
		if os.Getenv("CI") != "" {
			t.Fatal("Node.js is needed in CI to validate the MapLibre style")
		}
		t.Skip("Node.js not installed: cannot run the MapLibre style validator (gl-style-validate)")
	}
	webDir, err := filepath.Abs("../../web")
	if err != nil {
		t.Fatal(err)
	}
	bin := filepath.Join(webDir, "node_modules", ".bin", "gl-style-validate")
	if _, err := os.Stat(bin); err != nil {
		cmd := exec.Command("npm", "ci", "--no-audit", "--no-fund")
		cmd.Dir = webDir
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("npm ci in web/ (for gl-style-validate): %v\n%s", err, out)
		}
	}
	return bin
}

// TestStyle: /styles/coldchain.json is a MapLibre style that the style
// spec's own validator accepts, its URLs are absolute and follow the
// request's host and scheme, each of its source layers is a tile layer,
// and its tile URL answers with a vector tile.
func TestStyle(t *testing.T) {
	validate := styleValidator(t)
	pool := pgtest.Pool(t)
	ts, _ := gisServer(t, pool, nil, nil)

	status, h, body := call(t, "GET", ts.URL+"/styles/coldchain.json", "", "", "X-Forwarded-Proto", "https")
	if status != 200 || !strings.HasPrefix(h.Get("Content-Type"), "application/json") {
		t.Fatalf("GET /styles/coldchain.json: %d %s %.300s", status, h.Get("Content-Type"), body)
	}
	file := filepath.Join(t.TempDir(), "style.json")
	if err := os.WriteFile(file, body, 0o644); err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command(validate, file).CombinedOutput(); err != nil || len(strings.TrimSpace(string(out))) > 0 {
		t.Fatalf("gl-style-validate: %v\n%s", err, out)
	}

	var style struct {
		Version int `json:"version"`
		Sources map[string]struct {
			Tiles []string `json:"tiles"`
		} `json:"sources"`
		Layers []struct {
			ID          string `json:"id"`
			SourceLayer string `json:"source-layer"`
		} `json:"layers"`
	}
	if err := json.Unmarshal(body, &style); err != nil {
		t.Fatal(err)
	}
	host := strings.TrimPrefix(ts.URL, "http://")
	tiles := style.Sources["coldchain"].Tiles
	if style.Version != 8 || len(tiles) != 1 || !strings.HasPrefix(tiles[0], "https://"+host+"/tiles/") {
		t.Fatalf("style version %d, tiles %v: want version 8 and https://%s/tiles/...", style.Version, tiles, host)
	}
	_, _, index := call(t, "GET", ts.URL+"/tiles", "", "")
	seen := map[string]bool{}
	for _, l := range style.Layers {
		if l.SourceLayer == "" {
			continue
		}
		seen[l.SourceLayer] = true
		if !strings.Contains(string(index), `"`+l.SourceLayer+`"`) {
			t.Errorf("style layer %s draws %s, which /tiles does not list", l.ID, l.SourceLayer)
		}
	}
	for _, want := range []string{"producers", "facilities", "candidates", "exclusions", "regions"} {
		if !seen[want] {
			t.Errorf("the style does not draw %s", want)
		}
	}
	tileURL := strings.NewReplacer("https://"+host, ts.URL, "{z}", "9", "{x}", "418", "{y}", "216").Replace(tiles[0])
	fetchTile(t, tileURL)
}
