package main

import (
	"context"
	"io"
	"log/slog"
	"strings"
	"testing"
	"time"
)

// TestOpenReplica: no --read-database-url means one pool; an unreachable
// one stops serve with a message naming the flag.
func TestOpenReplica(t *testing.T) {
	cfg := &config{statementTimeout: time.Minute, log: slog.New(slog.NewTextHandler(io.Discard, nil))}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if read, err := openReplica(ctx, cfg, ""); read != nil || err != nil {
		t.Fatalf("no URL: %v %v", read, err)
	}
	read, err := openReplica(ctx, cfg, "host=/nonexistent/coldchain-replica port=5432 user=coldchain dbname=coldchain")
	if read != nil || err == nil || !strings.Contains(err.Error(), "--read-database-url") {
		t.Fatalf("unreachable replica: %v %v", read, err)
	}
}
