package province

import (
	"context"
	"fmt"

	"github.com/coldchain/coldchain/internal/ingest"
	"github.com/coldchain/coldchain/internal/layer"
)

// Load imports the province's layers through the ordinary importer
// (validation, region assignment, derived village areas), regions first,
// and returns the number of features loaded per layer. It adds to what the
// database holds; clearing it first is the caller's choice.
func Load(ctx context.Context, st *layer.Store, p *Province) (map[string]int64, error) {
	byName := map[string]*layer.Layer{}
	for _, l := range layer.All {
		byName[l.Name] = l
	}
	counts := map[string]int64{}
	for _, name := range LayerNames {
		r, err := p.Open(name)
		if err != nil {
			return counts, err
		}
		res, err := ingest.Import(ctx, st, byName[name], r, ingest.Options{Format: ingest.GeoJSON})
		if err != nil {
			return counts, fmt.Errorf("province %s: %w", name, err)
		}
		counts[name] = res.Rows
	}
	return counts, nil
}
