package httpapi_test

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/coldchain/coldchain/internal/access"
	"github.com/coldchain/coldchain/internal/httpapi"
	"github.com/coldchain/coldchain/internal/postgres"
	"github.com/coldchain/coldchain/internal/postgres/pgtest"
)

func producerJSON(id string, lon float64) string {
	b, _ := json.Marshal(map[string]any{"type": "Feature", "id": id,
		"properties": map[string]any{"operator_type": "cooperative", "product_class": "citrus", "annual_output_t": 100},
		"geometry":   map[string]any{"type": "Point", "coordinates": []float64{lon, 26.7}}})
	return string(b)
}

// matched is numberMatched of a FeatureCollection answer.
func matched(t *testing.T, url string) int {
	t.Helper()
	status, _, body := do(t, "GET", url, "")
	var c struct {
		NumberMatched int `json:"numberMatched"`
	}
	if err := json.Unmarshal(body, &c); status != 200 || err != nil {
		t.Fatalf("GET %s: %d %s", url, status, body)
	}
	return c.NumberMatched
}

// eventually polls cond for up to 30 s (replication is asynchronous).
func eventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(30 * time.Second); !cond(); {
		if time.Now().After(deadline) {
			t.Fatalf("%s: not after 30 s", what)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

func connect(t *testing.T, url string) *pgxpool.Pool {
	t.Helper()
	pool, err := postgres.Connect(context.Background(), url, postgres.Options{StatementTimeout: time.Minute})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(pool.Close)
	return pool
}

// TestReadReplica serves the API from a primary and a real streaming
// replica (pg_basebackup -R). With WAL replay paused on the replica, a
// write through the API lands on the primary, while the layer list and
// feature, the OGC items and the vector tiles still show the replica's
// older data; once replay resumes, they catch up.
func TestReadReplica(t *testing.T) {
	primaryURL, replicaURL := pgtest.Replica(t)
	primary, replica := connect(t, primaryURL), connect(t, replicaURL)
	ctx := context.Background()
	var standby bool
	if err := replica.QueryRow(ctx, `SELECT pg_is_in_recovery()`).Scan(&standby); err != nil || !standby {
		t.Fatalf("the replica is not a standby: %v %v", standby, err)
	}
	s := httpapi.New(primary, access.NewGeodesic(0, 0), nil, slog.New(slog.NewTextHandler(io.Discard, nil)), "test", nil)
	s.Read = replica
	ts := httptest.NewServer(s.Handler())
	t.Cleanup(ts.Close)
	list, tile := ts.URL+"/api/v1/producers", ts.URL+"/tiles/producers/0/0/0.mvt"

	if status, _, body := do(t, "POST", list, producerJSON("r1", 114.2)); status != http.StatusCreated {
		t.Fatalf("create r1: %d %s", status, body)
	}
	eventually(t, "r1 replicated", func() bool { return matched(t, list) == 1 })

	if _, err := replica.Exec(ctx, `SELECT pg_wal_replay_pause()`); err != nil {
		t.Fatal(err)
	}
	eventually(t, "replay paused", func() bool {
		var state string
		return replica.QueryRow(ctx, `SELECT pg_get_wal_replay_pause_state()`).Scan(&state) == nil && state == "paused"
	})
	_, h, _ := do(t, "GET", tile, "")
	tileBefore := h.Get("ETag")
	// Writes go to the primary (the replica would refuse them: read-only).
	if status, _, body := do(t, "POST", list, producerJSON("r2", 114.3)); status != http.StatusCreated {
		t.Fatalf("create r2: %d %s", status, body)
	}
	var onPrimary int
	if err := primary.QueryRow(ctx, `SELECT count(*) FROM producer`).Scan(&onPrimary); err != nil || onPrimary != 2 {
		t.Fatalf("primary holds %d producers (%v), want 2", onPrimary, err)
	}
	// Reads come from the paused replica.
	if n := matched(t, list); n != 1 {
		t.Errorf("list: %d producers, want the replica's 1", n)
	}
	if status, _, _ := do(t, "GET", list+"/r2", ""); status != http.StatusNotFound {
		t.Errorf("feature r2: %d, want 404 from the replica", status)
	}
	if n := matched(t, ts.URL+"/ogc/collections/producers/items"); n != 1 {
		t.Errorf("OGC items: %d, want the replica's 1", n)
	}
	if _, h, _ := do(t, "GET", tile, ""); h.Get("ETag") != tileBefore {
		t.Errorf("tile changed while the replica was paused")
	}
	if status, _, body := do(t, "GET", ts.URL+"/readyz", ""); status != 200 {
		t.Errorf("readyz: %d %s", status, body)
	}

	if _, err := replica.Exec(ctx, `SELECT pg_wal_replay_resume()`); err != nil {
		t.Fatal(err)
	}
	eventually(t, "r2 replicated", func() bool { return matched(t, list) == 2 })
	if status, _, _ := do(t, "GET", list+"/r2", ""); status != 200 {
		t.Errorf("feature r2 after replay: %d", status)
	}
	if _, h, _ := do(t, "GET", tile, ""); h.Get("ETag") == tileBefore {
		t.Errorf("tile unchanged after replay")
	}
}
