package main

import (
	"bytes"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestMakeRunFromClosedFolder does what a new user does: clone the
// repository into root's home folder (mode 700 on Debian, which the
// postgres user cannot enter) and run the README's run command as root,
// until /readyz answers. The cluster must live where the postgres user
// can reach it, and the user's folder must keep its mode.
func TestMakeRunFromClosedFolder(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("the closed-folder case is root's: as another user the cluster runs as that user")
	}
	if testing.Short() {
		t.Skip("clones the repository and builds it")
	}
	top, err := exec.Command("git", "rev-parse", "--show-toplevel").Output()
	if err != nil {
		t.Skipf("not in a git checkout: %v", err)
	}
	userHome, err := os.UserHomeDir()
	if err != nil {
		t.Fatal(err)
	}
	closed, err := os.MkdirTemp(userHome, "coldchain-clone-")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(closed, 0o700); err != nil {
		t.Fatal(err)
	}
	repo := filepath.Join(closed, "coldchain")
	if out, err := exec.Command("git", "clone", "--quiet", strings.TrimSpace(string(top)), repo).CombinedOutput(); err != nil {
		t.Fatalf("clone: %v\n%s", err, out)
	}
	env := cleanEnv()
	t.Cleanup(func() { removeClone(repo, closed, env) })

	port := freePort(t)
	run := exec.Command("make", "run", fmt.Sprintf("ADDR=127.0.0.1:%d", port))
	run.Dir, run.Env = repo, env
	run.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	var logs bytes.Buffer
	run.Stdout, run.Stderr = &logs, &logs
	if err := run.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- run.Wait() }()
	defer func() {
		syscall.Kill(-run.Process.Pid, syscall.SIGTERM)
		select {
		case <-done:
		case <-time.After(time.Minute):
			syscall.Kill(-run.Process.Pid, syscall.SIGKILL)
		}
	}()
	ready := fmt.Sprintf("http://127.0.0.1:%d/readyz", port)
	deadline := time.Now().Add(20 * time.Minute)
	for {
		select {
		case err := <-done:
			t.Fatalf("make run ended (%v) before /readyz answered:\n%s", err, tail(logs.String()))
		default:
		}
		if resp, err := http.Get(ready); err == nil {
			resp.Body.Close()
			if resp.StatusCode == 200 {
				break
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("/readyz never answered 200:\n%s", tail(logs.String()))
		}
		time.Sleep(time.Second)
	}
	if fi, err := os.Stat(closed); err != nil || fi.Mode().Perm() != 0o700 {
		t.Errorf("the user's folder was opened up: %v %v", fi.Mode(), err)
	}
}

// cleanEnv is the environment without coldchain's own variables, as a
// new user has it.
func cleanEnv() []string {
	var out []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "COLDCHAIN_") && !strings.HasPrefix(kv, "DATABASE_URL=") && !strings.HasPrefix(kv, "MAKEFLAGS=") && !strings.HasPrefix(kv, "MFLAGS=") && !strings.HasPrefix(kv, "MAKELEVEL=") {
			out = append(out, kv)
		}
	}
	return out
}

func tail(s string) string {
	if len(s) > 4000 {
		return "…" + s[len(s)-4000:]
	}
	return s
}

// removeClone stops the clone's cluster and deletes it and the clone.
func removeClone(repo, closed string, env []string) {
	stop := exec.Command("./bin/coldchain", "db", "stop")
	stop.Dir, stop.Env = repo, env
	stop.Run()
	if note, err := os.ReadFile(filepath.Join(repo, ".coldchain", "CLUSTER")); err == nil {
		if _, dir, ok := strings.Cut(strings.SplitN(string(note), "\n", 2)[0], " lives in "); ok {
			os.RemoveAll(strings.TrimSuffix(dir, ":"))
		}
	}
	os.RemoveAll(closed)
}
