package httpapi

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"

	"github.com/paulmach/orb/geojson"

	"github.com/coldchain/coldchain/internal/derrors"
	"github.com/coldchain/coldchain/internal/layer"
)

// allocationsSuffix ends the OGC collection id of a plan's allocation
// layer: plan-<id>-allocations.
const allocationsSuffix = "-allocations"

// allocationsLink links a plan's sites collection to its allocations
// collection (which /ogc/collections does not list: its extent would cost
// a plan's allocations to compute).
func allocationsLink(base, planCollection string) link {
	return link{Href: base + "/ogc/collections/" + url.PathEscape(planCollection+allocationsSuffix), Rel: "related",
		Type: "application/json", Title: "Its allocations: producer → site lines, served and unserved producers"}
}

// allocationInfos describes the allocation layer of each plan collection.
func allocationInfos(base string, plans []ogcCollectionInfo) []ogcCollectionInfo {
	out := make([]ogcCollectionInfo, 0, len(plans))
	for _, p := range plans {
		id := p.ID + allocationsSuffix
		out = append(out, ogcCollectionInfo{ID: id, Title: strings.TrimSuffix(p.Title, " sites") + " allocations",
			Description: "Lines producer → new site (minutes, tonnes), served producers and producers left unserved (read-only; property kind).",
			ItemType:    "feature", CRS: []string{crs84}, Links: collectionLinks(base, id)})
	}
	return out
}

// allocationCollection answers one plan's allocation collection with its
// extent.
func (s *Server) allocationCollection(w http.ResponseWriter, r *http.Request, planID string) error {
	fc, err := s.Plans.Allocations(r.Context(), planID)
	if err != nil {
		return err
	}
	cs, err := s.planCollections(r.Context(), baseURL(r), &planID)
	if err != nil {
		return err
	}
	info := allocationInfos(baseURL(r), cs)[0]
	if len(fc.Features) > 0 {
		b := fc.Features[0].Geometry.Bound()
		for _, f := range fc.Features[1:] {
			b = b.Union(f.Geometry.Bound())
		}
		info.Extent = newExtent([4]*float64{&b.Min[0], &b.Min[1], &b.Max[0], &b.Max[1]})
	}
	return writeJSON(w, http.StatusOK, info)
}

// writeAllocations writes a page of a plan's allocation layer (features
// whose bounds meet the query's bbox).
func (s *Server) writeAllocations(ctx context.Context, buf *bytes.Buffer, name, planID string, q layer.Query) (layer.Collection, error) {
	var c layer.Collection
	fc, err := s.Plans.Allocations(ctx, planID)
	if err != nil {
		return c, err
	}
	page := geojson.NewFeatureCollection()
	for _, f := range fc.Features {
		if q.BBox != nil && !q.BBox.Intersects(f.Geometry.Bound()) {
			continue
		}
		if c.Matched++; c.Matched > int64(q.Offset) && len(page.Features) < q.Limit {
			page.Append(f)
		}
	}
	c.Returned = len(page.Features)
	page.ExtraMembers = geojson.Properties{"name": name, "numberMatched": c.Matched, "numberReturned": c.Returned}
	b, err := json.Marshal(page)
	if err != nil {
		return c, err
	}
	buf.Write(b)
	return c, nil
}

// allocationItem is one feature of a plan's allocation layer.
func (s *Server) allocationItem(ctx context.Context, planID, fid string) ([]byte, error) {
	fc, err := s.Plans.Allocations(ctx, planID)
	if err != nil {
		return nil, err
	}
	for _, f := range fc.Features {
		if f.ID == fid {
			return json.Marshal(f)
		}
	}
	return nil, derrors.NotFound("allocations of plan %s have no feature %q", planID, fid)
}
