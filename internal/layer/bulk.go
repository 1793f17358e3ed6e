package layer

import (
	"context"
	"fmt"
	"strings"

	"github.com/jackc/pgx/v5"

	"github.com/coldchain/coldchain/internal/postgres"
)

// Thresholds of the set-based load; variables so that tests can take each
// path on small data.
var (
	// bulkMinRows is the smallest batch for which the table's secondary
	// indexes and foreign keys are dropped and built once afterwards
	// (when the batch is also at least a quarter of the table).
	bulkMinRows int64 = 20000
	// regionIndexMin is how many staged features must lie within the
	// regions' extent before the staging table gets a spatial index, so
	// that the region join walks each region once over the features near
	// it (PostGIS then reuses its prepared polygon) rather than probing
	// the regions once per feature.
	regionIndexMin int64 = 2000
	// levelRowsMax is the largest batch whose region codes are found level
	// by level (see regionHits): about 10 million codes fit in the load's
	// hash_mem (work_mem 256 MB × hash_mem_multiplier 2).
	levelRowsMax int64 = 4_000_000
)

// hasRegionCode says the layer's table carries region_code, set from the
// regions when a feature is written.
func (l *Layer) hasRegionCode() bool { return l.Key == "id" }

// write stores the staged rows in the layer's table with their region
// codes and class defaults, in one statement, taking down and restoring
// what planBulk says around it.
func (ld *loader) write(ctx context.Context, n int64) (LoadResult, error) {
	var res LoadResult
	bulk, err := ld.planBulk(ctx, n)
	if err != nil {
		return res, err
	}
	if err := ld.exec(ctx, bulk.drop); err != nil {
		return res, err
	}
	if ld.l.hasRegionCode() {
		if err := ld.regionHits(ctx, n); err != nil {
			return res, err
		}
	}
	sql := ld.writeSQL()
	if ld.opt.ReturnKeys {
		rows, err := ld.tx.Query(ctx, sql+" RETURNING "+pgx.Identifier{ld.l.Key}.Sanitize())
		if err != nil {
			return res, postgres.Translate(err, ld.l.Name)
		}
		if res.Keys, err = pgx.CollectRows(rows, pgx.RowTo[string]); err != nil {
			return res, postgres.Translate(err, ld.l.Name)
		}
		res.Rows = int64(len(res.Keys))
	} else {
		tag, err := ld.tx.Exec(ctx, sql)
		if err != nil {
			return res, postgres.Translate(err, ld.l.Name)
		}
		res.Rows = tag.RowsAffected()
	}
	return res, ld.exec(ctx, bulk.restore)
}

// exec runs statements in order.
func (ld *loader) exec(ctx context.Context, stmts []string) error {
	for _, stmt := range stmts {
		if _, err := ld.tx.Exec(ctx, stmt); err != nil {
			return postgres.Translate(err, ld.l.Name)
		}
	}
	return nil
}

// writeSQL is the INSERT (Insert, Upsert) or UPDATE (Update) of the staged
// rows, with the region codes of the hit table when the layer has them.
func (ld *loader) writeSQL() string {
	table, key := pgx.Identifier{ld.l.Table}.Sanitize(), pgx.Identifier{ld.l.Key}.Sanitize()
	cols, vals := ld.quoted(""), ld.values()
	from := ld.stage.Sanitize() + " s"
	if ld.classDefaults() != "" {
		from += " LEFT JOIN product_class pc ON pc.code = s." + pgx.Identifier{ld.classDefaults()}.Sanitize()
	}
	geom := "s.geom"
	if ld.l.Multi {
		geom = "ST_Multi(s.geom)"
	}
	if ld.l.hasRegionCode() {
		from += " LEFT JOIN " + ld.hit().Sanitize() + " h ON h.row_no = s.row_no"
		cols, vals = append(cols, "region_code"), append(vals, "h.code")
	}
	if ld.opt.Mode == Update {
		var sets []string
		for i, c := range cols {
			sets = append(sets, c+" = "+vals[i])
		}
		return fmt.Sprintf("UPDATE %s t SET %s, geom = %s FROM %s WHERE t.%s = s.%s",
			table, strings.Join(sets, ", "), geom, from, key, key)
	}
	sql := fmt.Sprintf("INSERT INTO %s (%s, geom) SELECT %s, %s FROM %s",
		table, strings.Join(cols, ", "), strings.Join(vals, ", "), geom, from)
	if ld.opt.ReturnKeys { // keys in input order
		sql += " ORDER BY s.row_no"
	}
	if ld.opt.Mode == Upsert {
		var sets []string
		for _, c := range cols[1:] {
			sets = append(sets, c+" = EXCLUDED."+c)
		}
		sql += fmt.Sprintf(" ON CONFLICT (%s) DO UPDATE SET %s, geom = EXCLUDED.geom", key, strings.Join(sets, ", "))
	}
	return sql
}

// values are the staged columns as written: a Shares field left empty
// takes its product class's monthly shares (what the producer_defaults
// trigger does row by row).
func (ld *loader) values() []string {
	vals := ld.quoted("s.")
	if ld.classDefaults() == "" {
		return vals
	}
	for i, c := range ld.l.Columns() {
		if f, ok := ld.l.field(c); ok && f.Kind == Shares {
			vals[i] = fmt.Sprintf("coalesce(%s, pc.harvest_months)", vals[i])
		}
	}
	return vals
}

// classDefaults names the product class column whose defaults fill the
// layer's Shares fields, or "" when the layer has none.
func (ld *loader) classDefaults() string {
	var class string
	shares := false
	for _, f := range ld.l.Fields {
		switch f.Kind {
		case Class:
			class = f.Name
		case Shares:
			shares = true
		}
	}
	if !shares {
		return ""
	}
	return class
}

// field returns the layer's field of that name.
func (l *Layer) field(name string) (Field, bool) {
	for _, f := range l.Fields {
		if f.Name == name {
			return f, true
		}
	}
	return Field{}, false
}

// regionHits fills the table hit (row_no, code) of the load: for each
// staged feature (its point on surface for shapes) the region code the
// per-row trigger would give it: the longest code, then the smallest,
// among the given polygons and derived areas that intersect it. For a
// batch of up to levelRowsMax rows it goes level by level, longest codes
// first, each level looking only at the features no longer code has
// taken: a feature in a village's area is not tested against its township
// and county too.
func (ld *loader) regionHits(ctx context.Context, n int64) error {
	inner, err := ld.regionInside(ctx)
	if err != nil {
		return err
	}
	hit := ld.hit().Sanitize()
	if _, err := ld.tx.Exec(ctx, "CREATE UNLOGGED TABLE "+hit+" (row_no integer, code text)"); err != nil {
		return postgres.Translate(err, ld.l.Name)
	}
	rows, err := ld.tx.Query(ctx, `SELECT DISTINCT length(code) FROM region ORDER BY 1 DESC`)
	if err != nil {
		return postgres.Translate(err, ld.l.Name)
	}
	lengths, err := pgx.CollectRows(rows, pgx.RowTo[int])
	if err != nil {
		return postgres.Translate(err, ld.l.Name)
	}
	// NOT IN over the hit table is a hashed filter that the planner runs
	// before the (costlier) ST_Intersects on each feature near a region,
	// as long as the codes found fit in hash_mem; a batch too large for
	// that is joined in one pass over every level.
	passes := [][]int{lengths}
	if n <= levelRowsMax {
		passes = nil
		for _, l := range lengths {
			passes = append(passes, []int{l})
		}
	}
	level := fmt.Sprintf(`INSERT INTO %[1]s
  WITH inside AS %[2]s
  SELECT DISTINCT ON (i.row_no) i.row_no, r.code
    FROM (SELECT code, geom AS g FROM region WHERE length(code) = ANY ($1) AND GeometryType(geom) = 'MULTIPOLYGON'
          UNION ALL
          SELECT code, area FROM region WHERE length(code) = ANY ($1) AND area IS NOT NULL) r
    JOIN inside i ON ST_Intersects(r.g, i.pt)
   WHERE i.row_no NOT IN (SELECT row_no FROM %[1]s)
   ORDER BY i.row_no, length(r.code) DESC, r.code`, hit, inner)
	for _, p := range passes {
		if _, err := ld.tx.Exec(ctx, level, p); err != nil {
			return postgres.Translate(err, ld.l.Name)
		}
	}
	// Statistics, so that the write joins the codes by hashing rather
	// than sorting both sides (the planner otherwise guesses a join size
	// thousands of times the batch).
	_, err = ld.tx.Exec(ctx, "ANALYZE "+hit)
	return postgres.Translate(err, ld.l.Name)
}

// regionInside returns the common table expression of the staged features
// (row_no, pt) that regionHits joins with the regions: a table of the
// points of the staged features within the regions' extent, with a
// spatial index when there are many.
func (ld *loader) regionInside(ctx context.Context) (string, error) {
	pt := "s.geom"
	if !(len(ld.l.Geometry) == 1 && ld.l.Geometry[0] == "Point") {
		pt = "ST_PointOnSurface(s.geom)"
	}
	// The points within the regions' extent alone, in geometry order (a
	// space-filling curve), so that the features near a region lie on few
	// pages of a narrow table: the join then reads about half as much per
	// feature as from the staging table itself, and features far from
	// every region cost neither a row nor an index entry (a batch spread
	// over a province, of which one county's regions are loaded). The
	// extent is applied here, not in the join, where the planner cannot
	// estimate it and would then probe the regions once per feature; the
	// inner query (kept apart by OFFSET 0) finds each point on surface
	// once. One pass over the staging table makes the table and counts it.
	pts := ld.points().Sanitize()
	tag, err := ld.tx.Exec(ctx, fmt.Sprintf(`CREATE UNLOGGED TABLE %s AS
		SELECT row_no, pt FROM (SELECT s.row_no, %s AS pt FROM %s s OFFSET 0) x
		 WHERE pt && (SELECT ST_SetSRID(ST_Extent(coalesce(area, geom))::geometry, 4326) FROM region)
		 ORDER BY 2`, pts, pt, ld.stage.Sanitize()))
	if err != nil {
		return "", postgres.Translate(err, ld.l.Name)
	}
	// Many points: a spatial index, so that the join walks each region once
	// over the points near it (PostGIS then reuses its prepared polygon)
	// rather than probing the regions once per point. Building it also
	// records the table's row count, which is all the planner needs to
	// walk the regions (no ANALYZE). Few points are joined as they are.
	if tag.RowsAffected() >= regionIndexMin {
		if _, err := ld.tx.Exec(ctx, fmt.Sprintf(`CREATE INDEX ON %s USING gist (pt)`, pts)); err != nil {
			return "", postgres.Translate(err, ld.l.Name)
		}
	}
	return "NOT MATERIALIZED (SELECT row_no, pt FROM " + pts + ")", nil
}

// points names the load's table of staged points (regionInside).
func (ld *loader) points() pgx.Identifier {
	return pgx.Identifier{ld.stage[0] + "_pt"}
}

// hit names the load's table of region codes by staged row.
func (ld *loader) hit() pgx.Identifier {
	return pgx.Identifier{ld.stage[0] + "_hit"}
}

// bulkPlan is what a large load takes down before its one write and
// puts back after it, once.
type bulkPlan struct {
	// drop runs before the write: foreign keys, triggers that stand aside
	// in loads, secondary indexes and, for inserts, the primary key.
	drop []string
	// restore runs after the write, in order: the primary key (whose
	// build finds duplicate and already stored keys), the indexes, the
	// triggers, the foreign keys (each validated in one pass).
	restore []string
}

// planBulk says what a load of n rows takes down: nothing for a small
// batch (fewer than bulkMinRows, or less than a quarter of the table's
// rows) or for regions (their indexes serve the derived areas recomputed
// within the write). Otherwise the secondary indexes and foreign keys,
// which cost more maintained row by row than built once; the row
// triggers that stand aside in loads anyway (disabled, so that no row
// pays even their guard); and for inserts the primary key, when no other
// table's foreign key needs it: its index is built once after the write,
// and a failed build lets writeOnce report the duplicate and already
// stored keys. Upserts and updates keep the primary key: they find rows
// by it.
func (ld *loader) planBulk(ctx context.Context, n int64) (bulkPlan, error) {
	var p bulkPlan
	if n < bulkMinRows || ld.l.RecodesLayers {
		return p, nil
	}
	table := pgx.Identifier{ld.l.Table}.Sanitize()
	var rows float64
	if err := ld.tx.QueryRow(ctx, `SELECT greatest(reltuples, 0) FROM pg_class WHERE oid = $1::regclass`, table).Scan(&rows); err != nil {
		return p, postgres.Translate(err, ld.l.Name)
	}
	if float64(n)*4 < rows {
		return p, nil
	}
	r, err := ld.tx.Query(ctx, bulkSQL, table, ld.opt.Mode == Insert)
	if err != nil {
		return p, postgres.Translate(err, ld.l.Name)
	}
	var d, re string
	var ord int
	var dropped []string
	byOrd := map[int][]string{}
	if _, err := pgx.ForEachRow(r, []any{&ord, &d, &re}, func() error {
		dropped, byOrd[ord] = append(dropped, d), append(byOrd[ord], re)
		return nil
	}); err != nil {
		return p, postgres.Translate(err, ld.l.Name)
	}
	p.drop = dropped
	for ord := 0; ord < 4; ord++ {
		p.restore = append(p.restore, byOrd[ord]...)
	}
	return p, nil
}

// bulkSQL lists what planBulk takes down for table $1 (and its primary key
// when $2), in the order to drop: foreign keys (3), guarded row triggers
// (2), secondary indexes (1), the primary key (0); each with the
// statement that restores it. Triggers are those whose WHEN clause is the
// loads' guard (migration 00050): they would stand aside anyway.
const bulkSQL = `
SELECT 3, format('ALTER TABLE %s DROP CONSTRAINT %I', conrelid::regclass, conname),
       format('ALTER TABLE %s ADD CONSTRAINT %I %s', conrelid::regclass, conname, pg_get_constraintdef(oid))
  FROM pg_constraint WHERE conrelid = $1::regclass AND contype = 'f'
UNION ALL
SELECT 2, format('ALTER TABLE %s DISABLE TRIGGER %I', tgrelid::regclass, tgname),
       format('ALTER TABLE %s ENABLE TRIGGER %I', tgrelid::regclass, tgname)
  FROM pg_trigger WHERE tgrelid = $1::regclass AND NOT tgisinternal AND tgenabled = 'O'
   AND pg_get_triggerdef(oid) LIKE '%WHEN (coldchain_row_triggers())%'
UNION ALL
SELECT 1, format('DROP INDEX %s', indexrelid::regclass), pg_get_indexdef(indexrelid)
  FROM pg_index WHERE indrelid = $1::regclass AND NOT indisunique
UNION ALL
SELECT 0, format('ALTER TABLE %s DROP CONSTRAINT %I', conrelid::regclass, conname),
       format('ALTER TABLE %s ADD CONSTRAINT %I %s', conrelid::regclass, conname, pg_get_constraintdef(oid))
  FROM pg_constraint c WHERE $2 AND conrelid = $1::regclass AND contype = 'p'
   AND NOT EXISTS (SELECT 1 FROM pg_constraint f
                    WHERE f.confrelid = $1::regclass AND f.conrelid <> $1::regclass AND f.contype = 'f')
ORDER BY 1 DESC`
