package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

// server is a running `coldchain serve`.
type server struct {
	base string
	cmd  *exec.Cmd
	logs *bytes.Buffer
	done chan error
}

// startServer boots `coldchain serve` on c's cluster and waits for /readyz.
func startServer(t *testing.T, c cli, extra ...string) *server {
	t.Helper()
	port := freePort(t)
	s := &server{base: fmt.Sprintf("http://127.0.0.1:%d", port), logs: &bytes.Buffer{}, done: make(chan error, 1)}
	s.cmd = exec.Command(c.bin, append([]string{"serve", "--addr", fmt.Sprintf("127.0.0.1:%d", port)}, extra...)...)
	s.cmd.Env = append(os.Environ(), "COLDCHAIN_HOME="+c.home, "DATABASE_URL=")
	s.cmd.Stdout, s.cmd.Stderr = s.logs, s.logs
	if err := s.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { s.done <- s.cmd.Wait() }()
	t.Cleanup(func() { s.cmd.Process.Kill() })
	deadline := time.Now().Add(90 * time.Second)
	for {
		resp, err := http.Get(s.base + "/readyz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == 200 {
				return s
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("server not ready:\n%s", s.logs.String())
		}
		time.Sleep(200 * time.Millisecond)
	}
}

// plannerToken makes an API token with the planner role.
func plannerToken(t *testing.T, c cli) string {
	t.Helper()
	cmd := exec.Command(c.bin, "token", "create", "--role", "planner")
	cmd.Env = append(os.Environ(), "COLDCHAIN_HOME="+c.home, "DATABASE_URL=")
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("token create: %v", err)
	}
	return strings.TrimSpace(string(out))
}

// slowPlan asks for a plan over a dense generated grid on the demo county:
// still being prepared or solved seconds later.
const slowPlan = `{"problem": "capacity", "facility_type": "cold_room", "tier": "township",
	"product_classes": ["leafy_vegetable"], "budget": 5000, "candidates": "generated", "candidate_hex_km": 0.5, "time_limit_s": 600}`

// TestGracefulShutdown: on SIGTERM the server stops accepting, lets a
// request in flight finish (not 499), and hands its running plan back to
// the queue instead of storing it as cancelled.
func TestGracefulShutdown(t *testing.T) {
	if testing.Short() {
		t.Skip("boots the binary and a PostgreSQL cluster")
	}
	c := cli{t: t, bin: binary(t), home: home(t)}
	t.Cleanup(func() {
		c.run("db", "stop")
		os.RemoveAll(c.home)
	})
	if out, code := c.run("demo"); code != 0 {
		t.Fatalf("demo: %d %s", code, out)
	}
	token := plannerToken(t, c)
	s := startServer(t, c)

	req, _ := http.NewRequest("POST", s.base+"/api/v1/plans", strings.NewReader(slowPlan))
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	var running struct{ ID string }
	json.NewDecoder(resp.Body).Decode(&running)
	resp.Body.Close()
	if resp.StatusCode != 202 {
		t.Fatalf("submit: %d", resp.StatusCode)
	}
	waitRunning(t, s, running.ID)

	// A request whose body is still arriving when the signal comes.
	conn, err := net.Dial("tcp", strings.TrimPrefix(s.base, "http://"))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	body := `{"type": "Feature", "id": "GS1", "geometry": {"type": "Point", "coordinates": [114.2, 26.7]}, "properties": {"name": "drained", "allowed_tiers": ["field"], "land_use": "construction"}}`
	fmt.Fprintf(conn, "POST /api/v1/candidates HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer %s\r\nContent-Type: application/geo+json\r\nContent-Length: %d\r\nConnection: close\r\n\r\n%s",
		token, len(body), body[:20])
	time.Sleep(300 * time.Millisecond)
	s.cmd.Process.Signal(syscall.SIGTERM)
	time.Sleep(500 * time.Millisecond)
	io.WriteString(conn, body[20:])
	answer, _ := io.ReadAll(conn)
	if !strings.HasPrefix(string(answer), "HTTP/1.1 201") {
		t.Errorf("request in flight at SIGTERM got:\n%s", answer)
	}
	select {
	case err := <-s.done:
		if err != nil {
			t.Fatalf("serve exited with %v:\n%s", err, s.logs)
		}
	case <-time.After(60 * time.Second):
		t.Fatal("serve did not stop on SIGTERM")
	}

	url, _ := c.run("db", "url")
	db, err := pgx.Connect(context.Background(), strings.TrimSpace(url))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close(context.Background())
	var status, reason string
	var attempts int
	db.QueryRow(context.Background(), `SELECT status, coalesce(error, ''), attempts FROM plan WHERE id = $1`, running.ID).Scan(&status, &reason, &attempts)
	if status != "queued" || reason != "" || attempts != 1 {
		t.Fatalf("plan running at SIGTERM is %s %q after %d attempts, want queued for the next server:\n%s", status, reason, attempts, s.logs)
	}
	var stored int
	db.QueryRow(context.Background(), `SELECT count(*) FROM candidate_site WHERE id = 'GS1'`).Scan(&stored)
	if stored != 1 {
		t.Errorf("the drained request's candidate was not stored")
	}
	// Clean up: the plan is not left for the next test's server.
	db.Exec(context.Background(), `UPDATE plan SET status = 'failed', error = 'test over' WHERE id = $1`, running.ID)
}

func waitRunning(t *testing.T, s *server, id string) {
	t.Helper()
	deadline := time.Now().Add(time.Minute)
	for time.Now().Before(deadline) {
		resp, err := http.Get(s.base + "/api/v1/plans/" + id)
		if err == nil {
			var p struct{ Status, Error string }
			json.NewDecoder(resp.Body).Decode(&p)
			resp.Body.Close()
			if p.Status == "running" {
				return
			}
			if p.Status == "done" || p.Status == "failed" {
				t.Fatalf("plan finished too soon to test shutdown: %s %s", p.Status, p.Error)
			}
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatalf("plan never ran:\n%s", s.logs)
}
