package plan

import (
	"encoding/json"

	"github.com/coldchain/coldchain/internal/derrors"
)

// Localize puts p's planner-facing texts in lang ("zh": Chinese; anything
// else leaves them English): the failure reason, the objective and
// marginal labels, the notes, and each site's name and summary. Results
// keep both languages; this picks one for clients that read one.
func Localize(p *Plan, lang string) {
	if lang != "zh" {
		return
	}
	if p.Error != "" {
		p.Error = derrors.Chinese(p.Error)
	}
	if len(p.Result) == 0 {
		return
	}
	var r map[string]any
	if err := json.Unmarshal(p.Result, &r); err != nil {
		return
	}
	swap(r, "objective_label", "objective_label_zh")
	swap(r, "notes", "notes_zh")
	if sites, ok := r["sites"].(map[string]any); ok {
		fs, _ := sites["features"].([]any)
		for _, f := range fs {
			props, _ := f.(map[string]any)["properties"].(map[string]any)
			if props == nil {
				continue
			}
			swap(props, "name", "name_zh")
			if e, ok := props["explanation"].(map[string]any); ok {
				swap(e, "summary", "summary_zh")
				swap(e, "marginal_label", "marginal_label_zh")
			}
		}
	}
	if b, err := json.Marshal(r); err == nil {
		p.Result = b
	}
}

// swap sets m[key] to m[zh] when that is present.
func swap(m map[string]any, key, zh string) {
	if v, ok := m[zh]; ok && v != nil && v != "" {
		m[key] = v
	}
}
