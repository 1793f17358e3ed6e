// Package scenario keeps named scenarios: draft edits to candidate sites
// and facilities (add, move, remove, change capacity) that plans run on the
// scenario see, and that reach the shared layers only when a planner
// applies them. Every change raises the scenario's version, its ETag; a
// change that names an older version fails with ErrStale.
package scenario

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/coldchain/coldchain/internal/derrors"
	"github.com/coldchain/coldchain/internal/postgres"
)

// MaxDrafts bounds a scenario's draft edits.
const MaxDrafts = 1000

// ErrStale reports a change made against an older version of a scenario.
var ErrStale = errors.New("the scenario changed since it was read")

// Layers are the layers drafts may edit.
var Layers = []string{"facilities", "candidates"}

// Draft is one draft edit: "put" a whole feature (add, move or change it;
// the feature as the layer's API takes it) or "remove" feature ID.
type Draft struct {
	Op      string          `json:"op"`
	Layer   string          `json:"layer"`
	ID      string          `json:"id"`
	Feature json.RawMessage `json:"feature,omitempty"`
	By      string          `json:"by"`
	At      time.Time       `json:"at"`
}

// Scenario is a named set of drafts and the plans run on it.
type Scenario struct {
	ID        string     `json:"id"`
	Name      string     `json:"name"`
	CreatedBy string     `json:"created_by"`
	CreatedAt time.Time  `json:"created_at"`
	UpdatedBy string     `json:"updated_by"`
	UpdatedAt time.Time  `json:"updated_at"`
	Version   int        `json:"version"`
	Drafts    []Draft    `json:"drafts"`
	AppliedAt *time.Time `json:"applied_at,omitempty"`
	AppliedBy string     `json:"applied_by,omitempty"`
	Plans     []string   `json:"plans"`
}

// ETag is the scenario's entity tag.
func (s *Scenario) ETag() string { return fmt.Sprintf(`"v%d"`, s.Version) }

// ParseETag reads an If-Match value: the version it names, or 0 for none
// or "*".
func ParseETag(v string) (int, error) {
	v = strings.TrimPrefix(strings.TrimSpace(v), "W/")
	if v == "" || v == "*" {
		return 0, nil
	}
	n, err := strconv.Atoi(strings.TrimPrefix(strings.Trim(v, `"`), "v"))
	if err != nil || n < 1 {
		return 0, derrors.Invalid(`If-Match: want a scenario ETag such as "v3", got %s`, v)
	}
	return n, nil
}

// Store keeps scenarios in PostgreSQL.
type Store struct {
	Pool *pgxpool.Pool
}

var uuidRE = regexp.MustCompile(`^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$`)

// Create makes an empty scenario named name by actor.
func (st *Store) Create(ctx context.Context, name, actor string) (*Scenario, error) {
	name = strings.TrimSpace(name)
	if name == "" || len(name) > 200 {
		return nil, derrors.Invalid("name: want 1 to 200 characters")
	}
	var id string
	err := st.Pool.QueryRow(ctx, `INSERT INTO scenario (name, created_by, updated_by) VALUES ($1, $2, $2) RETURNING id::text`, name, actor).Scan(&id)
	if err != nil {
		return nil, postgres.Translate(err, "scenario")
	}
	return st.Get(ctx, id)
}

// Get returns scenario id with its drafts and plans (ErrNotFound if none).
func (st *Store) Get(ctx context.Context, id string) (*Scenario, error) {
	if !uuidRE.MatchString(id) {
		return nil, derrors.NotFound("scenario %q not found", id)
	}
	var s Scenario
	var drafts []byte
	err := st.Pool.QueryRow(ctx, `SELECT id::text, name, created_by, created_at, updated_by, updated_at, version, drafts, applied_at, coalesce(applied_by, ''),
		       ARRAY(SELECT p.id::text FROM plan p WHERE p.params->>'scenario' = s.id::text ORDER BY p.created_at)
		  FROM scenario s WHERE id = $1`, id).Scan(&s.ID, &s.Name, &s.CreatedBy, &s.CreatedAt, &s.UpdatedBy, &s.UpdatedAt,
		&s.Version, &drafts, &s.AppliedAt, &s.AppliedBy, &s.Plans)
	if err != nil {
		return nil, postgres.Translate(err, fmt.Sprintf("scenario %q", id))
	}
	if err := json.Unmarshal(drafts, &s.Drafts); err != nil {
		return nil, err
	}
	return &s, nil
}

// List returns the newest scenarios (at most limit, 1 to 100).
func (st *Store) List(ctx context.Context, limit int) ([]*Scenario, error) {
	rows, err := st.Pool.Query(ctx, `SELECT id::text FROM scenario ORDER BY created_at DESC, id LIMIT $1`, min(max(limit, 1), 100))
	if err != nil {
		return nil, postgres.Translate(err, "scenarios")
	}
	ids, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return nil, postgres.Translate(err, "scenarios")
	}
	out := make([]*Scenario, 0, len(ids))
	for _, id := range ids {
		s, err := st.Get(ctx, id)
		if err != nil {
			return nil, err
		}
		out = append(out, s)
	}
	return out, nil
}
