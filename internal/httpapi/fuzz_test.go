package httpapi

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/coldchain/coldchain/internal/derrors"
	"github.com/coldchain/coldchain/internal/plan"
)

// FuzzPlanRequest feeds the plan endpoint's body decoding and request
// validation arbitrary bodies: each is accepted or refused with ErrInvalid
// (or 413 when too large), never a panic, and messages never name Go types.
func FuzzPlanRequest(f *testing.F) {
	for _, s := range []string{
		`{"problem": "mclp", "facility_type": "precooling", "tier": "field", "product_classes": ["leafy_vegetable"], "p": 1}`,
		`{"problem": "cflp", "facility_type": "cold_room", "tier": "township", "product_classes": ["citrus"], "capacity_menu": [{"capacity_t": 100, "build_cost": 5}]}`,
		`{"problem": "lscp", "p": 1, "p": 2}`,
		`{"problem": "pmedian", "time_limit_s": 1e-9, "capacity_t": {"frozen": -1}}`,
		`[1, 2]`, `"text"`, ``, `{"a": {"b": {"a": 1, "a": 2}}}`,
	} {
		f.Add(s)
	}
	classes := map[string][]string{"leafy_vegetable": {"chilled"}, "citrus": {"cool", "chilled"}, "meat": {"frozen"}}
	f.Fuzz(func(t *testing.T, body string) {
		r := httptest.NewRequest("POST", "/api/v1/plans", strings.NewReader(body))
		var req plan.Request
		err := decodeJSON(httptest.NewRecorder(), r, maxRequestJSON, "plan request", &req)
		if err == nil {
			err = req.Normalize(classes)
		}
		var tooBig *http.MaxBytesError
		if err != nil && !errors.Is(err, derrors.ErrInvalid) && !errors.As(err, &tooBig) {
			t.Fatalf("%v is neither ErrInvalid nor 413", err)
		}
		if err != nil && (strings.Contains(err.Error(), "Go ") || strings.Contains(err.Error(), "plan.")) {
			t.Fatalf("message names Go types: %v", err)
		}
	})
}
