package postgres_test

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/coldchain/coldchain/internal/postgres"
)

// After the server is killed (kill -9: no clean-up), its postmaster.pid
// and socket stay behind and the pid may be reused by another process:
// Running must say no and Start must bring the cluster back.
func TestStartAfterKill(t *testing.T) {
	ctx := context.Background()
	dir, err := os.MkdirTemp("", "coldchain-kill-")
	if err != nil {
		t.Fatal(err)
	}
	os.Chmod(dir, 0o755) // reachable by the postgres user when run as root
	c := &postgres.Cluster{Home: dir, Fast: true}
	t.Cleanup(func() { c.Remove(context.Background()) })
	if err := c.Start(ctx); err != nil {
		t.Fatal(err)
	}
	pidText, err := os.ReadFile(filepath.Join(dir, "data", "postmaster.pid"))
	if err != nil {
		t.Fatal(err)
	}
	first, rest, _ := strings.Cut(string(pidText), "\n")
	pid, _ := strconv.Atoi(first)
	if err := syscall.Kill(pid, syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 100 && syscall.Kill(pid, 0) == nil; i++ {
		time.Sleep(50 * time.Millisecond)
	}
	if _, err := os.Stat(filepath.Join(dir, "run", ".s.PGSQL.5432")); err != nil {
		t.Fatalf("the killed server left no socket behind, so this test proves nothing: %v", err)
	}
	// The dead postmaster's pid now names another live process.
	other := exec.Command("sleep", "60")
	if err := other.Start(); err != nil {
		t.Fatal(err)
	}
	defer other.Process.Kill()
	if err := os.WriteFile(filepath.Join(dir, "data", "postmaster.pid"), []byte(fmt.Sprintf("%d\n%s", other.Process.Pid, rest)), 0o600); err != nil {
		t.Fatal(err)
	}
	if running, err := c.Running(ctx); running || err != nil {
		t.Fatalf("Running after kill = %v, %v; want false", running, err)
	}
	sctx, cancel := context.WithTimeout(ctx, 2*time.Minute)
	defer cancel()
	if err := c.Start(sctx); err != nil {
		t.Fatalf("start after kill: %v", err)
	}
	pool, err := postgres.Connect(ctx, c.AdminURL(), postgres.Options{})
	if err != nil {
		t.Fatalf("connect after restart: %v", err)
	}
	pool.Close()
}
