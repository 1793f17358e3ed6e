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

// As root, a home inside a folder the postgres user cannot enter gets its
// cluster in a folder of its own under SystemDir, found again from the
// home, and the user's folder keeps its mode.
func TestClusterOutsideClosedFolder(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("only root runs the server as another user")
	}
	ctx := context.Background()
	closed, err := os.MkdirTemp("", "coldchain-700-")
	if err != nil {
		t.Fatal(err)
	}
	defer os.RemoveAll(closed)
	if err := os.Chmod(closed, 0o700); err != nil {
		t.Fatal(err)
	}
	system, err := os.MkdirTemp("", "coldchain-system-")
	if err != nil {
		t.Fatal(err)
	}
	defer os.RemoveAll(system)
	os.Chmod(system, 0o755)
	defer func(old string) { postgres.SystemDir = old }(postgres.SystemDir)
	postgres.SystemDir = system

	home := filepath.Join(closed, "checkout", ".coldchain")
	c, err := postgres.NewCluster(home)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(c.Folder(), system+"/") {
		t.Fatalf("cluster folder %s, want one under %s", c.Folder(), system)
	}
	t.Cleanup(func() { c.Remove(context.Background()) })
	if err := c.Start(ctx); err != nil {
		t.Fatalf("start: %v", err)
	}
	again, _ := postgres.NewCluster(home)
	if running, _ := again.Running(ctx); !running || again.Folder() != c.Folder() {
		t.Fatalf("the same home finds %s (running %v), want %s", again.Folder(), running, c.Folder())
	}
	if fi, err := os.Stat(closed); err != nil || fi.Mode().Perm() != 0o700 {
		t.Errorf("the user's folder was opened up: %v %v", fi.Mode(), err)
	}
	if note, err := os.ReadFile(filepath.Join(home, "CLUSTER")); err != nil || !strings.Contains(string(note), c.Folder()) {
		t.Errorf("no note in the home saying where the cluster is: %q %v", note, err)
	}
	pool, err := postgres.Connect(ctx, c.AdminURL(), postgres.Options{})
	if err != nil {
		t.Fatal(err)
	}
	pool.Close()
}
