package postgres

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/jackc/pgx/v5/stdlib"
	"github.com/pressly/goose/v3"

	"github.com/coldchain/coldchain/internal/derrors"
	"github.com/coldchain/coldchain/internal/jobs"
	"github.com/coldchain/coldchain/migrations"
)

// ErrNoPostGIS reports that the server lacks the PostGIS extension.
var ErrNoPostGIS = fmt.Errorf("the PostGIS extension is not installed on the PostgreSQL server: install it with: apt-get install -y %s %s", PackagePostGIS, PackageRouting)

// Options tune a pool.
type Options struct {
	// StatementTimeout caps each statement (0: server default).
	StatementTimeout time.Duration
	// MaxConns caps the pool (0: DefaultMaxConns).
	MaxConns int32
}

// DefaultMaxConns is the pool size unless Options say otherwise: requests
// mostly wait on PostgreSQL, not on the CPU, so the pool is far larger than
// pgx's default (4 on a small machine), well under the embedded cluster's
// max_connections (200).
const DefaultMaxConns = 32

// Connect opens a pool on url and checks that the server answers.
func Connect(ctx context.Context, url string, opt Options) (*pgxpool.Pool, error) {
	cfg, err := pgxpool.ParseConfig(url)
	if err != nil {
		return nil, fmt.Errorf("database URL: %w", err)
	}
	if opt.StatementTimeout > 0 {
		cfg.ConnConfig.RuntimeParams["statement_timeout"] = fmt.Sprint(opt.StatementTimeout.Milliseconds())
	}
	cfg.MaxConns = DefaultMaxConns
	if opt.MaxConns > 0 {
		cfg.MaxConns = opt.MaxConns
	}
	cfg.ConnConfig.RuntimeParams["application_name"] = "coldchain"
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, err
	}
	if err := pool.Ping(ctx); err != nil {
		pool.Close()
		return nil, fmt.Errorf("connect to database: %w", err)
	}
	return pool, nil
}

// EnsureDatabase creates database name through the admin connection unless
// it exists.
func EnsureDatabase(ctx context.Context, adminURL, name string) error {
	conn, err := pgx.Connect(ctx, adminURL)
	if err != nil {
		return fmt.Errorf("connect to database server: %w", err)
	}
	defer conn.Close(ctx)
	var exists bool
	if err := conn.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1)`, name).Scan(&exists); err != nil {
		return err
	}
	if exists {
		return nil
	}
	_, err = conn.Exec(ctx, "CREATE DATABASE "+pgx.Identifier{name}.Sanitize())
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) && pgErr.Code == "42P04" { // duplicate_database: lost a race
		return nil
	}
	return err
}

// Migrate brings the schema up to date with the embedded migrations. It
// returns ErrNoPostGIS when the server has no PostGIS.
func Migrate(ctx context.Context, pool *pgxpool.Pool, log *slog.Logger) error {
	var available bool
	if err := pool.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM pg_available_extensions WHERE name = 'postgis')`).Scan(&available); err != nil {
		return fmt.Errorf("check for PostGIS: %w", err)
	}
	if !available {
		return ErrNoPostGIS
	}
	// One process migrates at a time (a server and workers starting
	// together); the others wait and find nothing left to do.
	lock, err := pool.Acquire(ctx)
	if err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	defer lock.Release()
	if _, err := lock.Exec(ctx, `SELECT pg_advisory_lock($1)`, migrateLock); err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	defer func() { _, _ = lock.Exec(context.WithoutCancel(ctx), `SELECT pg_advisory_unlock($1)`, migrateLock) }()
	db := stdlib.OpenDBFromPool(pool)
	defer db.Close()
	// Out of order: migrations written on parallel branches land in any
	// order; each is applied once whatever its number.
	provider, err := goose.NewProvider(goose.DialectPostgres, db, migrations.FS, goose.WithAllowOutofOrder(true))
	if err != nil {
		return fmt.Errorf("load migrations: %w", err)
	}
	results, err := provider.Up(ctx)
	if err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	for _, r := range results {
		if log != nil {
			log.Info("migrated", "version", r.Source.Version, "file", r.Source.Path, "duration", r.Duration)
		}
	}
	return jobs.Migrate(ctx, pool, log)
}

// migrateLock is the advisory lock key held while migrating.
const migrateLock int64 = 0x636f6c64636861 // "coldcha"

// Translate maps a pgx error to a derrors kind by SQLSTATE, keeping the
// original in the chain for logs. what names the thing for messages.
func Translate(err error, what string) error {
	if err == nil {
		return nil
	}
	if errors.Is(err, pgx.ErrNoRows) {
		return derrors.NotFound("%s not found", what)
	}
	// Failing to connect is unavailability whatever the server said (a
	// restarting server, a database closed to connections).
	var connErr *pgconn.ConnectError
	if errors.As(err, &connErr) {
		return fmt.Errorf("%w: %w", derrors.ErrUnavailable, err)
	}
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) {
		switch pgErr.Code {
		case "23505": // unique_violation
			return fmt.Errorf("%w: %w", derrors.Conflict("%s already exists", what), err)
		case "23514", "23502", "23503", "22P02", "22023", "XX000": // check, not null, fk, bad text repr, bad parameter, PostGIS errors
			return fmt.Errorf("%w: %w", derrors.Invalid("%s breaks a rule of the data model (%s)", what, pgErr.ConstraintName+pgErr.Message), err)
		case "22021", "22P05": // NUL or bytes invalid in UTF-8 in text
			return fmt.Errorf("%w: %w", derrors.Invalid("%s: text may not contain NUL characters (U+0000) or invalid UTF-8", what), err)
		case "55000": // object_not_in_prerequisite_state (finished plan)
			return fmt.Errorf("%w: %w", derrors.Conflict("%s cannot change", what), err)
		case "57014": // query_canceled: the statement timeout
			return fmt.Errorf("%w: %w", derrors.Unavailable("%s: the database statement ran longer than its time limit", what), err)
		}
		if len(pgErr.Code) == 2 || pgErr.Code[:2] == "08" || pgErr.Code[:2] == "57" || pgErr.Code[:2] == "53" {
			return fmt.Errorf("%w: %w", derrors.ErrUnavailable, err)
		}
		return err
	}
	if pgconn.SafeToRetry(err) || pgconn.Timeout(err) {
		return fmt.Errorf("%w: %w", derrors.ErrUnavailable, err)
	}
	return err
}

// Vacuum removes dead rows from tables and refreshes their statistics.
// An import interrupted by a PostgreSQL crash leaves its rows dead in the
// layer tables, and the crash also loses the statistics autovacuum goes
// by, so nothing would clean them and every count(*) of a list request
// would read them; servers vacuum their layer tables when they start. A
// table without dead rows costs little (pages known all-visible are
// skipped).
func Vacuum(ctx context.Context, pool *pgxpool.Pool, tables []string) error {
	for _, t := range tables {
		if _, err := pool.Exec(ctx, "VACUUM (ANALYZE) "+pgx.Identifier{t}.Sanitize()); err != nil {
			return fmt.Errorf("vacuum %s: %w", t, err)
		}
	}
	return nil
}
