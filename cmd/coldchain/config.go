package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"runtime/pprof"
	"strings"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/spf13/cobra"

	"github.com/coldchain/coldchain/internal/postgres"
)

// config is filled from flags and the environment in one place.
type config struct {
	databaseURL      string
	home             string
	logLevel         string
	statementTimeout time.Duration
	log              *slog.Logger
	cpuProfile       string
	profile          *os.File // the CPU profile being written
}

func envOr(name, def string) string {
	if v := os.Getenv(name); v != "" {
		return v
	}
	return def
}

func (c *config) bindFlags(root *cobra.Command) {
	f := root.PersistentFlags()
	f.StringVar(&c.databaseURL, "database-url", os.Getenv("DATABASE_URL"), "PostgreSQL + PostGIS connection string (env DATABASE_URL); empty: the embedded cluster")
	f.StringVar(&c.home, "home", envOr("COLDCHAIN_HOME", ".coldchain"), "folder of the embedded cluster (env COLDCHAIN_HOME)")
	f.StringVar(&c.logLevel, "log-level", envOr("COLDCHAIN_LOG_LEVEL", "info"), "log level: debug, info, warn, error (env COLDCHAIN_LOG_LEVEL)")
	f.DurationVar(&c.statementTimeout, "statement-timeout", 2*time.Minute, "longest a single SQL statement may run")
	f.StringVar(&c.cpuProfile, "cpuprofile", "", "write a CPU profile of the command to this file (read it with go tool pprof); written when the command succeeds")
}

func (c *config) load() error {
	var level slog.Level
	if err := level.UnmarshalText([]byte(c.logLevel)); err != nil {
		return usageErr("--log-level: %v", err)
	}
	c.log = newLogger(level)
	if l := setMemoryLimit(); l > 0 {
		c.log.Debug("soft memory limit set (GOMEMLIMIT changes it)", "GiB", float64(l)/(1<<30))
	}
	if c.cpuProfile != "" {
		f, err := os.Create(c.cpuProfile)
		if err != nil {
			return usageErr("--cpuprofile: %v", err)
		}
		if err := pprof.StartCPUProfile(f); err != nil {
			f.Close()
			return usageErr("--cpuprofile: %v", err)
		}
		c.profile = f
	}
	return nil
}

// stopProfile ends and writes the CPU profile, if one is being taken.
func (c *config) stopProfile() error {
	if c.profile == nil {
		return nil
	}
	pprof.StopCPUProfile()
	err := c.profile.Close()
	c.profile = nil
	return err
}

// cluster returns the embedded cluster under --home.
func (c *config) cluster() (*postgres.Cluster, error) {
	return postgres.NewCluster(c.home)
}

// open connects to the database: DATABASE_URL when set, else the embedded
// cluster, started if needed. The schema is migrated either way.
func (c *config) open(ctx context.Context) (*pgxpool.Pool, error) {
	url := c.databaseURL
	if url == "" {
		cl, err := c.cluster()
		if err != nil {
			return nil, err
		}
		if !cl.Initialized() {
			c.log.Info("creating embedded PostgreSQL cluster", "home", cl.Home, "folder", cl.Folder())
		}
		if err := cl.Start(ctx); err != nil {
			return nil, err
		}
		if err := postgres.EnsureDatabase(ctx, cl.AdminURL(), "coldchain"); err != nil {
			return nil, err
		}
		url = cl.URL()
	}
	pool, err := postgres.Connect(ctx, url, postgres.Options{StatementTimeout: c.statementTimeout})
	if err != nil {
		return nil, err
	}
	if err := postgres.Migrate(ctx, pool, c.log.With("component", "migrate")); err != nil {
		pool.Close()
		if errors.Is(err, postgres.ErrNoPostGIS) {
			return nil, err
		}
		return nil, fmt.Errorf("migrate database: %w", err)
	}
	return pool, nil
}

// redact hides a password in a connection string for display.
func redact(url string) string {
	if i := strings.Index(url, "://"); i >= 0 {
		rest := url[i+3:]
		if at := strings.Index(rest, "@"); at >= 0 {
			if colon := strings.Index(rest[:at], ":"); colon >= 0 {
				return url[:i+3] + rest[:colon] + ":***" + rest[at:]
			}
		}
	}
	return url
}
