package layer

import (
	"context"
	"errors"
	"fmt"
	"io"
	"slices"
	"sort"
	"strings"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/coldchain/coldchain/internal/derrors"
	"github.com/coldchain/coldchain/internal/postgres"
	"github.com/coldchain/coldchain/internal/prefetch"
)

// Load writes rows in one transaction, all or nothing, as a sequence of
// set-based steps:
//
//  1. a binary COPY into an unlogged staging table of the load's own, fed
//     by a goroutine that reads and validates the input while PostgreSQL
//     stores what came before;
//  2. the checks PostgreSQL makes best, each one statement over the whole
//     batch (geometry validity, duplicate keys, keys already stored or
//     missing): any problem returns derrors.RowErrors (at most
//     MaxRowErrors, with the rows' line numbers) and leaves the layer
//     unchanged;
//  3. region codes (the smallest region area holding each feature) and
//     class defaults in one join, instead of the per-row triggers, which
//     stand aside for this transaction (migration 00050);
//  4. one INSERT (or UPDATE) of the batch; when the batch is large next to
//     the table, the table's secondary indexes, foreign keys, guarded row
//     triggers and (for inserts) primary key are taken down first and
//     built, validated and enabled once afterwards (planBulk; the table is
//     locked against readers for the load).
func (s *Store) Load(ctx context.Context, l *Layer, src RowSource, opt LoadOptions) (LoadResult, error) {
	var res LoadResult
	if err := l.writable(); err != nil {
		return res, err
	}
	tx, err := s.Pool.Begin(ctx)
	if err != nil {
		return res, postgres.Translate(err, l.Name)
	}
	defer tx.Rollback(context.WithoutCancel(ctx))
	ld := &loader{tx: tx, l: l, opt: opt, stage: pgx.Identifier{"coldchain_stage_" + l.Table + "_" + newID()}}
	if err := ld.prepare(ctx); err != nil {
		return res, err
	}
	n, err := ld.copy(ctx, src)
	if err != nil {
		return res, err
	}
	pre := src.Errors()
	if err := ld.rowErrors(ctx, pre, len(pre) > 0); err != nil {
		return res, err
	}
	if n == 0 {
		return res, derrors.Invalid("no features to load")
	}
	if res, err = ld.writeOnce(ctx, n); err != nil {
		return res, err
	}
	if l.RecodesLayers {
		if err := refreshRegionCodes(ctx, tx); err != nil {
			return res, err
		}
	}
	if res.Warnings, err = loadWarnings(ctx, tx, l, ld.stage.Sanitize(), ld.hit().Sanitize()); err != nil {
		return res, err
	}
	if _, err := tx.Exec(ctx, "DROP TABLE IF EXISTS "+ld.stage.Sanitize()+", "+ld.hit().Sanitize()+", "+ld.points().Sanitize()); err != nil {
		return res, postgres.Translate(err, l.Name)
	}
	if err := tx.Commit(ctx); err != nil {
		return res, postgres.Translate(err, l.Name)
	}
	return res, nil
}

// loader is one Load's transaction and staging table.
type loader struct {
	tx    pgx.Tx
	l     *Layer
	opt   LoadOptions
	stage pgx.Identifier
}

// prepare sets the transaction up for a bulk load and creates the staging
// table: unlogged (no WAL for data that lives one transaction) and without
// the layer's constraints and triggers, so that bad rows can be found and
// reported in SQL before the real insert. Its geometry is a plain geometry
// column filled from EWKB by the binary COPY.
func (ld *loader) prepare(ctx context.Context) error {
	cols := ld.quoted("")
	// A bulk load is a few long statements; the pool's per-statement limit
	// is meant for queries. work_mem lets its sorts and hashes stay in
	// memory. JIT compiling its statements (the planner's costs of
	// joins over fresh tables pass the threshold) costs more than it
	// saves on statements that run once.
	for _, sql := range []string{
		"SET LOCAL statement_timeout = '30min'",
		"SET LOCAL work_mem = '256MB'",
		"SET LOCAL jit = off",
		"SET LOCAL coldchain.load = 'set_based'",
		fmt.Sprintf(`CREATE UNLOGGED TABLE %s AS
			SELECT 0 AS row_no, %s, NULL::geometry AS geom FROM %s WITH NO DATA`,
			ld.stage.Sanitize(), strings.Join(cols, ", "), pgx.Identifier{ld.l.Table}.Sanitize()),
	} {
		if _, err := ld.tx.Exec(ctx, sql); err != nil {
			return postgres.Translate(err, ld.l.Name)
		}
	}
	return nil
}

// quoted returns the layer's columns as quoted identifiers, each prefixed
// by prefix (e.g. "s.").
func (ld *loader) quoted(prefix string) []string {
	var out []string
	for _, c := range ld.l.Columns() {
		out = append(out, prefix+pgx.Identifier{c}.Sanitize())
	}
	return out
}

// copy streams src into the staging table and returns how many rows it
// stored.
func (ld *loader) copy(ctx context.Context, src RowSource) (int64, error) {
	cols := append([]string{"row_no"}, ld.l.Columns()...)
	cols = append(cols, "geom")
	cs := newCopySource(src)
	n, err := ld.tx.CopyFrom(ctx, ld.stage, cols, cs)
	if cerr := cs.stop(); cerr != nil {
		return 0, cerr
	}
	if err != nil {
		return 0, postgres.Translate(err, ld.l.Name)
	}
	return n, nil
}

// rowErrors checks the staged rows (checkStage; with keys, for duplicate
// and already stored keys too) and returns the problems found, with pre
// (the rows that failed validation while reading), as derrors.RowErrors
// sorted by row: at most MaxRowErrors. When any row is bad, every check
// runs, so that one answer lists every kind of problem.
func (ld *loader) rowErrors(ctx context.Context, pre derrors.RowErrors, keys bool) error {
	checked, err := checkStage(ctx, ld.tx, ld.l, ld.stage.Sanitize(), pgx.Identifier{ld.l.Table}.Sanitize(), ld.opt, keys)
	if err != nil {
		return err
	}
	if len(checked) > 0 && !keys {
		return ld.rowErrors(ctx, pre, true)
	}
	errs := append(append(derrors.RowErrors(nil), pre...), checked...)
	if len(errs) == 0 {
		return nil
	}
	sort.SliceStable(errs, func(i, j int) bool { return errs[i].Row < errs[j].Row })
	if len(errs) > derrors.MaxRowErrors {
		errs = errs[:derrors.MaxRowErrors]
	}
	return errs
}

// writeOnce writes the staged rows under a savepoint, trusting the primary
// key to find duplicate and already stored keys (the usual batch has none,
// and looking for them first costs a pass over the batch and the table):
// row by row, or for a large insert when the key's index is built once
// after the write. When it finds one, the savepoint undoes the write and
// the key checks report every such row.
func (ld *loader) writeOnce(ctx context.Context, n int64) (LoadResult, error) {
	tx := ld.tx
	sp, err := tx.Begin(ctx)
	if err != nil {
		return LoadResult{}, postgres.Translate(err, ld.l.Name)
	}
	ld.tx = sp
	res, err := ld.write(ctx, n)
	ld.tx = tx
	if err == nil {
		return res, postgres.Translate(sp.Commit(ctx), ld.l.Name)
	}
	if rerr := sp.Rollback(ctx); rerr != nil {
		return res, postgres.Translate(rerr, ld.l.Name)
	}
	var pgErr *pgconn.PgError
	// unique_violation (Insert), cardinality_violation (Upsert: a key
	// twice in the batch).
	if errors.As(err, &pgErr) && (pgErr.Code == "23505" || pgErr.Code == "21000") {
		if kerr := ld.rowErrors(ctx, nil, true); kerr != nil {
			return res, kerr
		}
	}
	// check_violation: a row the decoder let through breaks one of the
	// table's CHECK constraints (a source that skipped the decoder's
	// checks); say which rows.
	if errors.As(err, &pgErr) && pgErr.Code == "23514" {
		if cerr := ld.checkErrors(ctx); cerr != nil {
			return res, cerr
		}
	}
	return res, err
}

// checkErrors evaluates the table's CHECK constraints on the staged rows,
// one statement per constraint over the whole batch, and returns the rows
// that break one (at most MaxRowErrors, by row), or nil. The expressions
// come from the catalog (the schema's own constraints, not input); staged
// columns have the table's names. A Shares field left empty is NULL in the
// staging table, which a check accepts: its class default is stored.
func (ld *loader) checkErrors(ctx context.Context) error {
	rows, err := ld.tx.Query(ctx, `SELECT conname, pg_get_expr(conbin, conrelid),
		coalesce((SELECT attname FROM pg_attribute WHERE attrelid = conrelid AND attnum = conkey[1]), '')
		FROM pg_constraint WHERE conrelid = $1::regclass AND contype = 'c' AND cardinality(conkey) = 1 ORDER BY conname`,
		pgx.Identifier{ld.l.Table}.Sanitize())
	if err != nil {
		return postgres.Translate(err, ld.l.Name)
	}
	type check struct{ name, expr, column string }
	var checks []check
	var c check
	if _, err := pgx.ForEachRow(rows, []any{&c.name, &c.expr, &c.column}, func() error {
		if slices.Contains(ld.l.Columns(), c.column) || c.column == "geom" {
			checks = append(checks, c)
		}
		return nil
	}); err != nil {
		return postgres.Translate(err, ld.l.Name)
	}
	var errs derrors.RowErrors
	for _, c := range checks {
		r, err := ld.tx.Query(ctx, fmt.Sprintf(`SELECT row_no FROM %s WHERE NOT (%s) ORDER BY row_no LIMIT %d`,
			ld.stage.Sanitize(), c.expr, derrors.MaxRowErrors))
		if err != nil {
			return postgres.Translate(err, ld.l.Name)
		}
		bad, err := pgx.CollectRows(r, pgx.RowTo[int])
		if err != nil {
			return postgres.Translate(err, ld.l.Name)
		}
		for _, row := range bad {
			errs = append(errs, derrors.RowError{Row: row, Field: c.column, Reason: "breaks a rule of the data model (" + c.name + ")"})
		}
	}
	if len(errs) == 0 {
		return nil
	}
	sort.SliceStable(errs, func(i, j int) bool { return errs[i].Row < errs[j].Row })
	return errs[:min(len(errs), derrors.MaxRowErrors)]
}

// copyBatch is how many rows the reading goroutine hands over at a time.
const copyBatch = 512

// copySource adapts a RowSource to pgx.CopyFromSource. A goroutine
// (prefetch) reads, validates and encodes the rows in batches while the
// COPY sends the previous ones, so that decoding and PostgreSQL's work
// overlap.
type copySource struct {
	r    *prefetch.Reader[[]any]
	vals []any
	err  error // the reading goroutine's error, once the rows ended
}

func newCopySource(src RowSource) *copySource {
	return &copySource{r: prefetch.Start(copyBatch, func() ([]any, error) {
		row, err := src.Next()
		if err != nil {
			return nil, err
		}
		wkb, err := EWKB(row.Geom)
		if err != nil {
			return nil, fmt.Errorf("row %d: geometry: %w", row.Row, err)
		}
		vals := make([]any, 0, len(row.Values)+2)
		return append(append(append(vals, row.Row), row.Values...), wkb), nil
	})}
}

// Next moves to the next row; false at the end or on an error.
func (c *copySource) Next() bool {
	v, err := c.r.Next()
	if err != nil {
		if !errors.Is(err, io.EOF) {
			c.err = err
		}
		return false
	}
	c.vals = v
	return true
}

func (c *copySource) Values() ([]any, error) { return c.vals, nil }

// Err is the reading goroutine's error once the rows ended: it aborts the
// COPY.
func (c *copySource) Err() error { return c.err }

// stop ends the reading goroutine (when the COPY stopped early) and
// returns its error. After stop, the RowSource is no longer in use.
func (c *copySource) stop() error {
	if err := c.r.Stop(); err != nil && !errors.Is(err, io.EOF) {
		return err
	}
	return nil
}
