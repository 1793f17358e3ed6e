package scenario

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"time"

	"github.com/coldchain/coldchain/internal/derrors"
	"github.com/coldchain/coldchain/internal/ingest"
	"github.com/coldchain/coldchain/internal/layer"
)

// Apply writes scenario id's drafts to the shared layers (puts as
// upserts, then removals) and marks it applied by actor. ifVersion, when
// not 0, must be the scenario's version (else ErrStale). Bad features come
// back as row errors and leave the scenario unapplied; it returns
// ErrConflict for a scenario applied already.
func (st *Store) Apply(ctx context.Context, id string, ifVersion int, actor string, layers *layer.Store) (*Scenario, error) {
	var drafts []Draft
	now := time.Now().UTC()
	err := st.change(ctx, id, ifVersion, actor, func(s *Scenario) error {
		drafts = s.Drafts
		s.AppliedAt, s.AppliedBy = &now, actor
		return nil
	})
	if err != nil {
		return nil, err
	}
	if err := writeDrafts(ctx, layers, drafts); err != nil {
		if _, uerr := st.Pool.Exec(ctx, `UPDATE scenario SET applied_at = NULL, applied_by = NULL, version = version + 1 WHERE id = $1`, id); uerr != nil {
			return nil, errors.Join(err, uerr)
		}
		return nil, err
	}
	return st.Get(ctx, id)
}

// writeDrafts stores the drafts' features layer by layer and removes the
// removed ones (a feature already gone is no error).
func writeDrafts(ctx context.Context, layers *layer.Store, drafts []Draft) error {
	for _, name := range Layers {
		l, err := layer.ByName(name)
		if err != nil {
			return err
		}
		var feats []json.RawMessage
		for _, d := range drafts {
			if d.Layer == name && d.Op == "put" {
				feats = append(feats, d.Feature)
			}
		}
		if len(feats) > 0 {
			body, err := json.Marshal(map[string]any{"type": "FeatureCollection", "features": feats})
			if err != nil {
				return err
			}
			if _, err := ingest.Import(ctx, layers, l, bytes.NewReader(body), ingest.Options{Format: ingest.GeoJSON, Mode: layer.Upsert}); err != nil {
				return err
			}
		}
		for _, d := range drafts {
			if d.Layer == name && d.Op == "remove" {
				if err := layers.Delete(ctx, l, d.ID); err != nil && !errors.Is(err, derrors.ErrNotFound) {
					return err
				}
			}
		}
	}
	return nil
}
