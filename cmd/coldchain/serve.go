package main

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/spf13/cobra"

	"github.com/coldchain/coldchain/internal/httpapi"
	"github.com/coldchain/coldchain/internal/layer"
	"github.com/coldchain/coldchain/internal/plan"
	"github.com/coldchain/coldchain/internal/postgres"
	"github.com/coldchain/coldchain/web"
)

// serveLong and serveExample are serve's help.
const (
	serveLong = `Serve the map UI at / and the HTTP API (layers as GeoJSON under /api/v1,
/healthz, /readyz, /metrics). Stops gracefully on SIGINT or SIGTERM. Reads go to a replica with --read-database-url.

Plans are jobs in the database: serve runs --workers of them at once itself
(0: none), and any number of "coldchain worker" processes on the same
database share them.`
	serveExample = `  coldchain serve --addr :8080
  coldchain serve --addr 127.0.0.1:8081 --base-path /coldchain   # behind nginx: location /coldchain/ { proxy_pass http://127.0.0.1:8081/; }
  DATABASE_URL=postgres://user@primary/db coldchain serve --read-database-url postgres://user@replica/db
  DATABASE_URL=postgres://user@host/db coldchain serve --workers 0`
)

func newServeCmd(cfg *config) *cobra.Command {
	var addr, basePath, readURL string
	var demo bool
	var workers int
	var rescue, drain time.Duration
	var travel travelFlags
	var acc accessFlags
	cmd := &cobra.Command{
		Use:     "serve",
		Short:   "Serve the map UI and the HTTP API",
		Long:    serveLong,
		Example: serveExample,
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := httpapi.CheckBasePath(basePath); err != nil {
				return usageErr("--base-path: %v", err)
			}
			if workers < 0 {
				return usageErr("--workers: want 0 (none) or more, got %d", workers)
			}
			ctx, stop := signal.NotifyContext(cmd.Context(), os.Interrupt, syscall.SIGTERM)
			defer stop()
			pool, err := cfg.open(ctx)
			if err != nil {
				return err
			}
			defer pool.Close()
			if demo {
				if err := loadDemo(ctx, cfg, pool, false, cmd.ErrOrStderr()); err != nil {
					return err
				}
			}
			go vacuumLayers(ctx, pool, cfg)
			model, err := travel.model(pool)
			if err != nil {
				return err
			}
			plans, err := plan.Open(ctx, pool, model, cfg.log.With("component", "plans"), plan.Options{Workers: workers, QueueLen: 64, RescueAfter: rescue})
			if err != nil {
				return err
			}
			defer plans.Close()
			srv := httpapi.New(pool, model, plans, cfg.log, version(), web.FS())
			defer srv.Close()
			srv.BasePath = basePath
			if srv.Read, err = openReplica(ctx, cfg, readURL); err != nil {
				return err
			}
			defer closeReplica(srv.Read)
			if err := acc.apply(srv, pool); err != nil {
				return err
			}
			hs, cancelRequests := httpServer(ctx, addr, srv.Handler())
			defer cancelRequests()
			ln, err := net.Listen("tcp", addr)
			if err != nil {
				return fmt.Errorf("listen on %s: %w", addr, err)
			}
			cfg.log.Info("serving", "addr", ln.Addr().String(), "url", "http://"+displayAddr(ln.Addr()))
			errc := make(chan error, 1)
			go func() { errc <- hs.Serve(ln) }()
			select {
			case err := <-errc:
				return err
			case <-ctx.Done():
			}
			cfg.log.Info("shutting down", "drain_timeout", drain)
			return shutdown(hs, errc, drain, cancelRequests, cfg)
		},
	}
	cmd.Flags().StringVar(&addr, "addr", envOr("COLDCHAIN_ADDR", ":8080"), "listen address (env COLDCHAIN_ADDR)")
	cmd.Flags().StringVar(&basePath, "base-path", os.Getenv("COLDCHAIN_BASE_PATH"), "sub-path a reverse proxy serves coldchain under, e.g. /coldchain: links, the OpenAPI document and the map UI follow it; a proxy's X-Forwarded-Prefix does the same per request (env COLDCHAIN_BASE_PATH)")
	cmd.Flags().BoolVar(&demo, "demo", false, "load the demo county first if the database is empty")
	workerFlags(cmd, &workers, &rescue, 2)
	cmd.Flags().StringVar(&readURL, "read-database-url", envOr("COLDCHAIN_READ_DATABASE_URL", ""), "a streaming replica of the database: layer reads, coverage, OGC API items and tiles go there, writes and plans stay on the primary (env COLDCHAIN_READ_DATABASE_URL)")
	cmd.Flags().DurationVar(&drain, "drain-timeout", 30*time.Second, "on SIGINT/SIGTERM, how long requests in flight may take to finish")
	travel.bind(cmd)
	acc.bind(cmd)
	return cmd
}

// openReplica connects the read pool (nil when url is empty) and checks
// that it holds the primary's schema (a replica replays the primary's
// migrations).
func openReplica(ctx context.Context, cfg *config, url string) (*pgxpool.Pool, error) {
	if url == "" {
		return nil, nil
	}
	read, err := postgres.Connect(ctx, url, postgres.Options{StatementTimeout: cfg.statementTimeout})
	if err != nil {
		return nil, fmt.Errorf("--read-database-url: %w", err)
	}
	var standby, schema bool
	err = read.QueryRow(ctx, `SELECT pg_is_in_recovery(), to_regclass('producer') IS NOT NULL`).Scan(&standby, &schema)
	if err == nil && !schema {
		err = errors.New("it has no coldchain schema: point it at a streaming replica of the primary's database")
	}
	if err != nil {
		read.Close()
		return nil, fmt.Errorf("--read-database-url %s: %w", redact(url), err)
	}
	if !standby {
		cfg.log.Warn("the read database is not a standby: reads will not see the primary's writes unless it replicates them", "url", redact(url))
	}
	cfg.log.Info("reads from a replica", "url", redact(url), "standby", standby)
	return read, nil
}

// closeReplica closes the read pool, if any.
func closeReplica(read *pgxpool.Pool) {
	if read != nil {
		read.Close()
	}
}

func displayAddr(a net.Addr) string {
	if ta, ok := a.(*net.TCPAddr); ok && ta.IP.IsUnspecified() {
		return fmt.Sprintf("localhost:%d", ta.Port)
	}
	return a.String()
}

// shutdown stops hs gracefully: no new connections, requests in flight
// finish for up to drain, then the rest are cancelled. Running plans are
// handed back to the queue afterwards, when the plan service closes.
func shutdown(hs *http.Server, errc <-chan error, drain time.Duration, cancelRequests context.CancelFunc, cfg *config) error {
	sctx, cancel := context.WithTimeout(context.Background(), drain)
	defer cancel()
	err := hs.Shutdown(sctx)
	cancelRequests()
	if errors.Is(err, context.DeadlineExceeded) {
		cfg.log.Warn("requests still running after the drain timeout were cancelled", "drain_timeout", drain)
		err = hs.Close()
	}
	if err != nil {
		return err
	}
	if err := <-errc; !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	cfg.log.Info("requests drained")
	return nil
}

// vacuumLayers clears the layer tables of rows an import interrupted by a
// database crash left dead (see postgres.Vacuum), in the background.
func vacuumLayers(ctx context.Context, pool *pgxpool.Pool, cfg *config) {
	tables := make([]string, 0, len(layer.All))
	for _, l := range layer.All {
		tables = append(tables, l.Table)
	}
	start := time.Now()
	if err := postgres.Vacuum(ctx, pool, tables); err != nil {
		if ctx.Err() == nil {
			cfg.log.Warn("vacuum layer tables", "err", err)
		}
		return
	}
	cfg.log.Info("layer tables vacuumed", "duration", time.Since(start))
}

// httpServer returns the HTTP server of h. Requests run on a context of
// their own, not the signal's: a signal stops the server from accepting
// and lets requests finish up to the drain timeout; cancel then ends what
// is left.
func httpServer(ctx context.Context, addr string, h http.Handler) (hs *http.Server, cancel context.CancelFunc) {
	reqCtx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	return &http.Server{
		Addr:              addr,
		Handler:           h,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       5 * time.Minute,
		WriteTimeout:      10 * time.Minute,
		IdleTimeout:       2 * time.Minute,
		BaseContext:       func(net.Listener) context.Context { return reqCtx },
	}, cancel
}
