// Package pgtest gives tests a real PostGIS database: one throwaway cluster
// per test binary (or the server named by COLDCHAIN_TEST_DATABASE_URL), a
// migrated template database, and a fresh database per test cloned from it
// with CREATE DATABASE ... TEMPLATE and dropped on cleanup.
//
// A missing PostgreSQL or PostGIS fails the test; it never skips.
// LogBuffer is the log a test reads while a service or process writes it.
package pgtest

import (
	"context"
	"fmt"
	"os"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/coldchain/coldchain/internal/postgres"
)

var (
	once     sync.Once
	setupErr error
	cluster  *postgres.Cluster
	adminURL string
	template string
	mu       sync.Mutex // CREATE DATABASE ... TEMPLATE needs the template idle
	counter  atomic.Int64
)

// Main runs the tests of a package and removes the throwaway cluster after.
// Use it from TestMain: func TestMain(m *testing.M) { pgtest.Main(m) }.
func Main(m *testing.M) {
	code := m.Run()
	if cluster != nil {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		if err := cluster.Remove(ctx); err != nil {
			fmt.Fprintln(os.Stderr, "pgtest: remove cluster:", err)
		}
		cancel()
	}
	os.Exit(code)
}

func setup() error {
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	adminURL = os.Getenv("COLDCHAIN_TEST_DATABASE_URL")
	if adminURL == "" {
		// The postgres system user must reach the folder when tests run as
		// root, so it is not a 0700 t.TempDir.
		dir, err := os.MkdirTemp("", "coldchain-pgtest-")
		if err != nil {
			return err
		}
		if err := os.Chmod(dir, 0o755); err != nil {
			return err
		}
		cluster = &postgres.Cluster{Home: dir, Fast: true}
		if err := cluster.Start(ctx); err != nil {
			return err
		}
		adminURL = cluster.AdminURL()
	}
	template = fmt.Sprintf("coldchain_tmpl_%d", os.Getpid())
	conn, err := pgx.Connect(ctx, adminURL)
	if err != nil {
		return err
	}
	defer conn.Close(ctx)
	if _, err := conn.Exec(ctx, "CREATE DATABASE "+pgx.Identifier{template}.Sanitize()); err != nil {
		return err
	}
	pool, err := postgres.Connect(ctx, dbURL(template), postgres.Options{})
	if err != nil {
		return err
	}
	defer pool.Close()
	return postgres.Migrate(ctx, pool, nil)
}

func dbURL(name string) string {
	cfg, err := pgx.ParseConfig(adminURL)
	if err != nil {
		panic(err)
	}
	cfg.Database = name
	// Rebuild as a keyword/value string that keeps the socket host.
	return fmt.Sprintf("host=%s port=%d user=%s dbname=%s sslmode=disable", cfg.Host, cfg.Port, cfg.User, name)
}

// URL returns a connection string to a fresh migrated database that is
// dropped when the test ends.
func URL(t testing.TB) string {
	t.Helper()
	once.Do(func() { setupErr = setup() })
	if setupErr != nil {
		t.Fatalf("pgtest: PostgreSQL + PostGIS needed for this test: %v", setupErr)
	}
	name := fmt.Sprintf("coldchain_t%d_%d", os.Getpid(), counter.Add(1))
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, adminURL)
	if err != nil {
		t.Fatalf("pgtest: %v", err)
	}
	defer conn.Close(ctx)
	mu.Lock()
	_, err = conn.Exec(ctx, "CREATE DATABASE "+pgx.Identifier{name}.Sanitize()+" TEMPLATE "+pgx.Identifier{template}.Sanitize())
	mu.Unlock()
	if err != nil {
		t.Fatalf("pgtest: create database: %v", err)
	}
	t.Cleanup(func() {
		conn, err := pgx.Connect(ctx, adminURL)
		if err != nil {
			t.Errorf("pgtest: %v", err)
			return
		}
		defer conn.Close(ctx)
		if _, err := conn.Exec(ctx, "DROP DATABASE IF EXISTS "+pgx.Identifier{name}.Sanitize()+" WITH (FORCE)"); err != nil {
			t.Errorf("pgtest: drop database: %v", err)
		}
	})
	return dbURL(name)
}

// Pool returns a pool on a fresh migrated database, closed and dropped when
// the test ends.
func Pool(t testing.TB) *pgxpool.Pool {
	t.Helper()
	pool, err := postgres.Connect(context.Background(), URL(t), postgres.Options{StatementTimeout: time.Minute})
	if err != nil {
		t.Fatalf("pgtest: %v", err)
	}
	t.Cleanup(pool.Close)
	return pool
}

// Replica starts a primary cluster of the test's own, migrated, and a
// streaming replica of it (pg_basebackup -R), and returns connection
// strings to the coldchain database on each. Both clusters are removed when
// the test ends. It takes a few seconds: only tests of read scaling use it.
func Replica(t testing.TB) (primaryURL, replicaURL string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	mkdir := func(name string) string {
		dir, err := os.MkdirTemp("", "coldchain-"+name+"-")
		if err == nil {
			err = os.Chmod(dir, 0o755) // the postgres user must reach it
		}
		if err != nil {
			t.Fatal(err)
		}
		return dir
	}
	primary := &postgres.Cluster{Home: mkdir("primary"), Fast: true}
	replica := &postgres.Cluster{Home: mkdir("replica"), Fast: true}
	t.Cleanup(func() {
		for _, c := range []*postgres.Cluster{replica, primary} {
			if err := c.Remove(context.Background()); err != nil {
				t.Errorf("pgtest: remove cluster: %v", err)
			}
		}
	})
	if err := primary.Start(ctx); err != nil {
		t.Fatalf("pgtest: primary: %v", err)
	}
	if err := postgres.EnsureDatabase(ctx, primary.AdminURL(), "coldchain"); err != nil {
		t.Fatalf("pgtest: primary: %v", err)
	}
	pool, err := postgres.Connect(ctx, primary.URL(), postgres.Options{})
	if err != nil {
		t.Fatalf("pgtest: primary: %v", err)
	}
	err = postgres.Migrate(ctx, pool, nil)
	pool.Close()
	if err != nil {
		t.Fatalf("pgtest: migrate primary: %v", err)
	}
	if err := replica.StartReplica(ctx, primary); err != nil {
		t.Fatalf("pgtest: %v", err)
	}
	return primary.URL(), replica.URL()
}

// Execer returns a function that runs one SQL statement on db and fails
// the test with the statement when it errs: the fixtures' one way to write
// rows by hand.
func Execer(t testing.TB, db interface {
	Exec(context.Context, string, ...any) (pgconn.CommandTag, error)
}) func(sql string, args ...any) {
	return func(sql string, args ...any) {
		t.Helper()
		if _, err := db.Exec(context.Background(), sql, args...); err != nil {
			t.Fatalf("%s: %v", sql, err)
		}
	}
}
