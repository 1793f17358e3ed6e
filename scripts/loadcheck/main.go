// Command loadcheck puts a running coldchain server under a bounded load on
// loopback: conns concurrent connections send a mix of reads (layer lists,
// a feature, OGC items, vector tiles, classes, coverage) for a duration,
// while plans solve one after another (when a planner token is given) and
// /readyz is polled on a connection of its own. It prints the figures and
// exits 1 on any error, any failed plan or any /readyz answer other than
// 200.
//
//	go run ./scripts/loadcheck -base http://127.0.0.1:8080 -token ... -conns 200 -duration 30s
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// reads are the requests each connection cycles through.
var reads = []string{
	"/api/v1/producers?limit=50",
	"/api/v1/producers?limit=20&product_class=citrus,leafy_vegetable",
	"/api/v1/facilities?limit=100",
	"/api/v1/regions?limit=20",
	"/api/v1/classes",
	"/ogc/collections/producers/items?limit=10",
	"/tiles/producers/9/418/216.mvt",
	"/tiles/facilities/10/836/433.mvt",
	"/api/v1/plans?limit=10",
	"/healthz",
}

// slowPlan keeps a worker busy for the whole check.
const slowPlan = `{"problem": "pmedian", "facility_type": "precooling", "tier": "field", "product_classes": ["leafy_vegetable"],
	"p": 8, "candidates": "generated", "candidate_hex_km": 0.5, "time_limit_s": 120}`

type result struct {
	mu        sync.Mutex
	latencies []time.Duration
	errors    map[string]int
}

func (r *result) add(d time.Duration, errKey string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if errKey != "" {
		r.errors[errKey]++
		return
	}
	r.latencies = append(r.latencies, d)
}

func main() {
	base := flag.String("base", "http://127.0.0.1:8080", "server to load (loopback only)")
	token := flag.String("token", "", "planner token: submit a plan that solves during the check")
	conns := flag.Int("conns", 200, "concurrent connections (at most 1000)")
	duration := flag.Duration("duration", 30*time.Second, "how long to load (at most 5m)")
	flag.Parse()
	u, err := url.Parse(*base)
	if err != nil || !isLoopback(u.Hostname()) {
		fmt.Fprintln(os.Stderr, "loadcheck: -base must be a loopback URL (127.0.0.1, ::1 or localhost)")
		os.Exit(2)
	}
	if *conns < 1 || *conns > 1000 || *duration <= 0 || *duration > 5*time.Minute {
		fmt.Fprintln(os.Stderr, "loadcheck: want 1 to 1000 connections and a duration up to 5m")
		os.Exit(2)
	}
	ctx, cancel := context.WithTimeout(context.Background(), *duration)
	defer cancel()
	res := &result{errors: map[string]int{}}
	var readyBad, readyOK atomic.Int64
	var wg sync.WaitGroup
	wg.Add(2)
	go func() { defer wg.Done(); pollReady(ctx, *base, &readyOK, &readyBad) }()
	var plans []string
	go func() { defer wg.Done(); plans = keepPlanning(ctx, *base, *token) }()
	start := time.Now()
	for i := 0; i < *conns; i++ {
		wg.Add(1)
		go func(i int) { defer wg.Done(); load(ctx, *base, i, res) }(i)
	}
	wg.Wait()
	report(res, time.Since(start), *conns, readyOK.Load(), readyBad.Load(), plans)
	failed := slices.ContainsFunc(plans, func(p string) bool { return strings.HasPrefix(p, "failed") })
	if len(res.errors) > 0 || readyBad.Load() > 0 || failed {
		os.Exit(1)
	}
}

func isLoopback(host string) bool {
	return host == "localhost" || strings.HasPrefix(host, "127.") || host == "::1"
}

// load sends reads on one connection of its own until ctx ends.
func load(ctx context.Context, base string, i int, res *result) {
	client := &http.Client{Transport: &http.Transport{MaxConnsPerHost: 1, MaxIdleConnsPerHost: 1}, Timeout: time.Minute}
	defer client.CloseIdleConnections()
	for n := i; ctx.Err() == nil; n++ {
		path := reads[n%len(reads)]
		t0 := time.Now()
		req, _ := http.NewRequestWithContext(ctx, "GET", base+path, nil)
		resp, err := client.Do(req)
		if err != nil {
			if ctx.Err() == nil {
				res.add(0, "transport: "+err.Error())
			}
			continue
		}
		_, _ = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if resp.StatusCode >= 400 {
			res.add(0, fmt.Sprintf("%s: %d", strings.SplitN(path, "?", 2)[0], resp.StatusCode))
			continue
		}
		res.add(time.Since(t0), "")
	}
}

// pollReady asks /readyz five times a second on a connection of its own.
func pollReady(ctx context.Context, base string, ok, bad *atomic.Int64) {
	client := &http.Client{Timeout: 5 * time.Second}
	t := time.NewTicker(200 * time.Millisecond)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		resp, err := client.Get(base + "/readyz")
		if err != nil {
			bad.Add(1)
			continue
		}
		resp.Body.Close()
		if resp.StatusCode == 200 {
			ok.Add(1)
		} else {
			bad.Add(1)
		}
	}
}

func submitPlan(base, token string) string {
	if token == "" {
		return ""
	}
	req, _ := http.NewRequest("POST", base+"/api/v1/plans", strings.NewReader(slowPlan))
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		fmt.Fprintln(os.Stderr, "loadcheck: submit plan:", err)
		os.Exit(1)
	}
	defer resp.Body.Close()
	var p struct{ ID string }
	if err := json.NewDecoder(resp.Body).Decode(&p); err != nil || resp.StatusCode != 202 {
		fmt.Fprintf(os.Stderr, "loadcheck: submit plan: %d %v\n", resp.StatusCode, err)
		os.Exit(1)
	}
	return p.ID
}

// keepPlanning keeps one plan solving until ctx ends: it submits the
// next when the last finishes. It returns each plan's outcome.
func keepPlanning(ctx context.Context, base, token string) []string {
	if token == "" {
		return []string{"no plan submitted (no -token)"}
	}
	var out []string
	for ctx.Err() == nil {
		id := submitPlan(base, token)
		for {
			st := planStatus(base, id)
			if strings.HasPrefix(st, "done") || strings.HasPrefix(st, "failed") {
				out = append(out, st)
				break
			}
			if ctx.Err() != nil {
				out = append(out, "still "+st+" at the end")
				return out
			}
			time.Sleep(200 * time.Millisecond)
		}
	}
	return out
}

func planStatus(base, id string) string {
	resp, err := http.Get(base + "/api/v1/plans/" + id)
	if err != nil {
		return err.Error()
	}
	defer resp.Body.Close()
	var p struct {
		Status, Error string
		StartedAt     *time.Time `json:"started_at"`
		FinishedAt    *time.Time `json:"finished_at"`
	}
	_ = json.NewDecoder(resp.Body).Decode(&p)
	out := strings.TrimSpace(p.Status + " " + p.Error)
	if p.StartedAt != nil && p.FinishedAt != nil {
		out += fmt.Sprintf(" (prepared and solved in %.1f s)", p.FinishedAt.Sub(*p.StartedAt).Seconds())
	}
	return out
}

func report(res *result, elapsed time.Duration, conns int, readyOK, readyBad int64, plans []string) {
	lat := res.latencies
	slices.Sort(lat)
	pct := func(p float64) time.Duration {
		if len(lat) == 0 {
			return 0
		}
		return lat[min(len(lat)-1, int(p*float64(len(lat))))]
	}
	errs := 0
	for _, n := range res.errors {
		errs += n
	}
	fmt.Printf("connections %d, %.0f s: %d requests ok (%.0f req/s), %d errors\n", conns, elapsed.Seconds(), len(lat), float64(len(lat))/elapsed.Seconds(), errs)
	fmt.Printf("latency p50 %v, p90 %v, p99 %v, max %v\n", pct(0.5).Round(time.Millisecond), pct(0.9).Round(time.Millisecond), pct(0.99).Round(time.Millisecond), pct(1).Round(time.Millisecond))
	fmt.Printf("/readyz: %d × 200, %d other\n", readyOK, readyBad)
	for i, p := range plans {
		fmt.Printf("plan %d during the load: %s\n", i+1, p)
	}
	for k, n := range res.errors {
		fmt.Printf("error %s: %d\n", k, n)
	}
}
