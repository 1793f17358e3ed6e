package httpapi

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"

	"github.com/go-chi/chi/v5"

	"github.com/coldchain/coldchain/internal/derrors"
	"github.com/coldchain/coldchain/internal/plan"
	"github.com/coldchain/coldchain/internal/report"
)

// deliverEndpoints: what a planner hands on from a finished plan (the
// workbook, the allocation layers, the report) and the edit log.
func (s *Server) deliverEndpoints() []endpoint {
	const tag = "plans"
	planID := []apiParam{pathParam("id", "the plan's id", schema{"type": "string", "format": "uuid"})}
	lang := queryParam("lang", "language of headers and texts (default zh)", enum("zh", "en"))
	bom := queryParam("bom", "true: start with a UTF-8 byte-order mark (for Chinese Excel)", schema{"type": "boolean"})
	xlsxMedia := "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
	alloc := "A finished plan's allocations: lines producer → new site (minutes, tonnes), served producers with their sites, and producers left unserved"
	return []endpoint{
		{Method: "GET", Path: "/api/v1/plans/{id}/export.xlsx", Summary: "A finished plan as an Excel workbook: key figures, sites, allocations, by class, by month, by township", Tag: tag,
			PathParams: planID, ExtraParams: []apiParam{lang}, Problems: []int{400, 404, 409},
			Responses: ok("200", "The workbook", xlsxMedia, schema{"type": "string", "format": "binary"}),
			Handler:   plain(s.exportPlan("xlsx"))},
		{Method: "GET", Path: "/api/v1/plans/{id}/allocations.geojson", Summary: alloc + ", as GeoJSON", Tag: tag,
			PathParams: planID, Problems: []int{404, 409},
			Responses: ok("200", "The allocation layer (property kind: allocation, demand or unserved)", geoJSONMedia, ref("FeatureCollection")),
			Handler:   plain(s.allocations("geojson"))},
		{Method: "GET", Path: "/api/v1/plans/{id}/allocations.csv", Summary: alloc + ", as CSV", Tag: tag,
			PathParams: planID, ExtraParams: []apiParam{bom}, Problems: []int{400, 404, 409},
			Responses: ok("200", "The allocation layer, producer and site coordinates as columns", "text/csv", str()),
			Handler:   plain(s.allocations("csv"))},
		{Method: "GET", Path: "/api/v1/plans/{id}/allocations.xlsx", Summary: alloc + ", as an Excel workbook", Tag: tag,
			PathParams: planID, Problems: []int{404, 409},
			Responses: ok("200", "The allocation layer as one sheet", xlsxMedia, schema{"type": "string", "format": "binary"}),
			Handler:   plain(s.allocations("xlsx"))},
		{Method: "GET", Path: "/api/v1/plans/{id}/report", Summary: "A finished plan's print-ready report (HTML): the request, a map drawn from the plan's data, key figures before and after, the poverty-exit share of the gain, handling by class, the monthly stock chart, the site table and the proven gap", Tag: tag,
			PathParams: planID, ExtraParams: []apiParam{lang}, Problems: []int{400, 404, 409},
			Responses: ok("200", "The report page", "text/html", str()),
			Handler:   plain(s.planReport)},
		{Method: "GET", Path: "/api/v1/edits", Summary: "Who did what: writes through the API (feature create/update/delete, plan, cancel, adopt) with the token's name and time, newest first. Feature GET and PUT responses carry an ETag; PUT and DELETE take If-Match and answer 412 when the feature changed since it was read.", Tag: tag,
			ExtraParams: []apiParam{queryParam("target", "a layer name or plans", str()), queryParam("id", "a feature or plan id", str()),
				queryParam("limit", "entries (default 100)", integer(1, 1000))},
			Problems:  []int{400},
			Responses: ok("200", "The edit log", "application/json", object(nil, map[string]schema{"edits": arrayOf(anyObject("an edit"))})),
			Handler:   plain(s.listEdits)},
	}
}

// planReport answers GET /plans/{id}/report?lang=zh|en with the plan's
// print-ready HTML report.
func (s *Server) planReport(w http.ResponseWriter, r *http.Request) error {
	src := report.Source{Pool: s.Pool, Plans: s.Plans, Travel: s.Travel}
	page, err := src.HTML(r.Context(), chi.URLParam(r, "id"), r.URL.Query().Get("lang"))
	if err != nil {
		return err
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	_, err = w.Write(page)
	return err
}

// queryBool parses an optional boolean query parameter.
func queryBool(r *http.Request, name string) (bool, error) {
	v := r.URL.Query().Get(name)
	if v == "" {
		return false, nil
	}
	b, err := strconv.ParseBool(v)
	if err != nil {
		return false, derrors.Invalid("%s: want true or false, got %q", name, v)
	}
	return b, nil
}

// allocations writes a finished plan's allocation layer in format.
func (s *Server) allocations(format string) handler {
	return func(w http.ResponseWriter, r *http.Request) error {
		bom, err := queryBool(r, "bom")
		if err != nil {
			return err
		}
		fc, err := s.Plans.Allocations(r.Context(), chi.URLParam(r, "id"))
		if err != nil {
			return err
		}
		var buf bytes.Buffer
		switch format {
		case "csv":
			w.Header().Set("Content-Type", "text/csv; charset=utf-8")
			err = plan.WriteAllocationsCSV(&buf, fc, bom)
		case "xlsx":
			w.Header().Set("Content-Type", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
			err = plan.WriteAllocationsXLSX(&buf, fc)
		default:
			w.Header().Set("Content-Type", "application/geo+json")
			err = json.NewEncoder(&buf).Encode(fc)
		}
		if err != nil {
			return err
		}
		w.Header().Set("Content-Disposition", fmt.Sprintf(`attachment; filename="plan-%s-allocations.%s"`, chi.URLParam(r, "id")[:8], format))
		_, err = buf.WriteTo(w)
		return err
	}
}
