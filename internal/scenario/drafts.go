package scenario

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/paulmach/orb"
	"github.com/paulmach/orb/geojson"

	"github.com/coldchain/coldchain/internal/derrors"
	"github.com/coldchain/coldchain/internal/postgres"
)

// check validates a draft: a known op and layer, and for "put" a GeoJSON
// Feature with a point and the draft's id.
func (d *Draft) check() error {
	if !slices.Contains(Layers, d.Layer) {
		return derrors.Invalid("layer: want facilities or candidates, got %q", d.Layer)
	}
	switch d.Op {
	case "remove":
		if d.ID == "" {
			return derrors.Invalid("id: a remove draft names the feature to remove")
		}
		d.Feature = nil
	case "put":
		f, err := geojson.UnmarshalFeature(d.Feature)
		if err != nil {
			return derrors.Invalid("feature: want a GeoJSON Feature: %v", err)
		}
		if _, ok := f.Geometry.(orb.Point); !ok {
			return derrors.Invalid("feature: want a Point geometry")
		}
		id := fmt.Sprint(f.ID)
		if f.ID == nil || id == "" {
			id = d.ID
		}
		if id == "" || (d.ID != "" && id != d.ID) {
			return derrors.Invalid("id: a put draft needs the feature's id (feature id %q, draft id %q)", id, d.ID)
		}
		d.ID = id
		f.ID = id
		if d.Feature, err = f.MarshalJSON(); err != nil {
			return err
		}
	default:
		return derrors.Invalid("op: want put or remove, got %q", d.Op)
	}
	return nil
}

// AddDraft appends draft d by actor to scenario id. ifVersion, when not
// 0, must be the scenario's version (else ErrStale). A later draft of the
// same feature replaces the earlier one. It returns ErrConflict for an
// applied scenario.
func (st *Store) AddDraft(ctx context.Context, id string, ifVersion int, d Draft, actor string) (*Scenario, error) {
	if err := d.check(); err != nil {
		return nil, err
	}
	d.By, d.At = actor, time.Now().UTC()
	err := st.change(ctx, id, ifVersion, actor, func(s *Scenario) error {
		s.Drafts = slices.DeleteFunc(s.Drafts, func(o Draft) bool { return o.Layer == d.Layer && o.ID == d.ID })
		if len(s.Drafts) >= MaxDrafts {
			return derrors.Invalid("a scenario holds at most %d drafts", MaxDrafts)
		}
		s.Drafts = append(s.Drafts, d)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return st.Get(ctx, id)
}

// change runs edit on scenario id locked for update and stores its drafts
// with the next version.
func (st *Store) change(ctx context.Context, id string, ifVersion int, actor string, edit func(*Scenario) error) error {
	s, err := st.Get(ctx, id)
	if err != nil {
		return err
	}
	err = pgx.BeginFunc(ctx, st.Pool, func(tx pgx.Tx) error {
		if err := tx.QueryRow(ctx, `SELECT version FROM scenario WHERE id = $1 FOR UPDATE`, id).Scan(&s.Version); err != nil {
			return err
		}
		if ifVersion != 0 && ifVersion != s.Version {
			return fmt.Errorf("%w: it is at version %d (ETag \"v%d\"), the request named version %d: read it again and redo the change", ErrStale, s.Version, s.Version, ifVersion)
		}
		if s.AppliedAt != nil {
			return derrors.Conflict("scenario %s was applied on %s: make a new scenario", id, s.AppliedAt.Format(time.RFC3339))
		}
		if err := edit(s); err != nil {
			return err
		}
		drafts, err := json.Marshal(s.Drafts)
		if err != nil {
			return err
		}
		_, err = tx.Exec(ctx, `UPDATE scenario SET drafts = $2, version = version + 1, updated_by = $3, updated_at = now(),
			applied_at = $4, applied_by = NULLIF($5, '') WHERE id = $1`, id, drafts, actor, s.AppliedAt, s.AppliedBy)
		return err
	})
	return postgres.Translate(err, "scenario")
}

// Drafts returns scenario id's drafts, for plans run on it (ErrInvalid for
// an unknown scenario, since it names the plan's input).
func (st *Store) Drafts(ctx context.Context, id string) ([]Draft, error) {
	s, err := st.Get(ctx, id)
	if err != nil {
		return nil, derrors.Invalid("scenario: %v", derrors.Message(err, "not found"))
	}
	return s.Drafts, nil
}
