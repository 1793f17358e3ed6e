// Package layer holds coldchain's data layers (regions, producers,
// facilities, candidate sites, exclusion zones): their fields, the
// validation every write goes through (importer and API alike), and their
// SQL.
//
// Geometry libraries have one job each: orb decodes and checks input
// geometry (GeoJSON, WKT, coordinate ranges); go-geom encodes EWKB for the
// COPY into PostGIS (geom.go is the one place that converts); PostGIS itself
// checks validity (ST_IsValid) and shapes output (ST_AsGeoJSON).
package layer

import (
	"fmt"
	"strings"
)

// Kind is a field's value type.
type Kind int

// Field kinds.
const (
	Text      Kind = iota // free text
	Code                  // administrative code: 2–12 digits
	Enum                  // one of Field.Enum
	Class                 // a product class code known to the database
	Number                // float, within [Min, Max]
	Integer               // whole number, within [Min, Max]
	Bool                  // true/false
	EnumList              // array of Field.Enum values
	ClassList             // array of product class codes
	Shares                // 12 monthly shares summing to 1
	Capacity              // object zone -> tonnes; stored as capacity_<zone>_t columns
)

// Field is one property of a layer's features.
type Field struct {
	Name     string // property name in GeoJSON and CSV, and column name
	Kind     Kind
	Enum     []string
	Required bool
	Min, Max float64
	Default  any // value when absent (nil: NULL or the column default)
	// Derive, if set, gives the value when absent from the row's other
	// decoded values (by column); it runs after every field is decoded.
	Derive func(values map[string]any) any
}

// Filter is a query parameter that selects features.
type Filter struct {
	Param string
	// Column the filter applies to.
	Column string
	// Op: "eq" (column = ANY(values)), "prefix" (column within the
	// region value: coldchain_within, migration 00070, which an index on
	// the column serves in any plan, where LIKE $n did in custom plans only),
	// "contains" (value = ANY(array column)), "contains_or_empty", "min".
	Op   string
	Enum []string // allowed values; nil: any
}

// Layer describes one layer.
type Layer struct {
	Name  string // URL and CLI name, e.g. "producers"
	Title string
	Table string // storage table
	View  string // output view (feature properties)
	Key   string // key property and column: "id" or "code"
	// Geometry lists the accepted GeoJSON geometry types; a Polygon is
	// promoted to MultiPolygon when only MultiPolygon is stored.
	Geometry []string
	// Multi says the table stores MultiPolygon only.
	Multi bool
	// PromotePolygons stores a Polygon input as a one-part MultiPolygon.
	PromotePolygons bool
	// RecodesLayers says writing this layer changes the region_code of
	// the other layers' features (it is the regions layer).
	RecodesLayers bool
	// Fields are the feature properties written and validated; Filters the
	// query parameters that select features.
	Fields  []Field
	Filters []Filter
	// IDPrefix starts generated ids of features that come without one.
	IDPrefix string
	// ReadOnly layers are written only by their own importer (roads:
	// coldchain import roads, roads.Store) or through another layer (areas:
	// regions), never through Store.Load; the API answers writes to them
	// with 405.
	ReadOnly bool
	// WriteHint says how to change a read-only layer's data.
	WriteHint string
}

// Vocabularies (docs/design.md#domain-model).
var (
	Zones          = []string{"frozen", "chilled", "ca", "cool", "ambient"}
	Tiers          = []string{"field", "township", "county", "prefecture", "national"}
	FacilityTypes  = []string{"ventilated_store", "cold_room", "ca_store", "precooling", "quick_freeze", "mobile_cold_room", "collection_centre", "county_logistics_centre", "backbone_base", "processing_park", "science_park", "demonstration_park"}
	OperatorTypes  = []string{"family_farm", "cooperative", "enterprise", "village_collective", "smallholders"}
	Levels         = []string{"province", "prefecture", "county", "township", "village"}
	KeyCounty      = []string{"national", "provincial", "none"}
	Settlements    = []string{"county_seat", "town", "central_village", "village"}
	FacilityStatus = []string{"existing", "under_construction", "planned", "proposed"}
	LandUses       = []string{"farmland", "construction", "other"}
	SiteSources    = []string{"user", "generated"}
	ExclusionKinds = []string{"basic_farmland", "ecological_redline", "flood", "water_source"}
	// RoadClasses are the OSM highway classes a road network may hold.
	RoadClasses = []string{"motorway", "motorway_link", "trunk", "trunk_link", "primary", "primary_link", "secondary", "secondary_link",
		"tertiary", "tertiary_link", "unclassified", "residential", "service", "living_street", "road", "track"}
)

var regionFilter = Filter{Param: "region", Column: "region_code", Op: "prefix"}

// All lists the layers in dependency order (regions first).
var All = []*Layer{
	{
		Name: "regions", Title: "Administrative regions", Table: "region", View: "region_feature", Key: "code",
		Geometry: []string{"MultiPolygon", "Polygon", "Point"}, PromotePolygons: true, RecodesLayers: true,
		Fields: []Field{
			{Name: "code", Kind: Code, Required: true},
			{Name: "name", Kind: Text, Required: true},
			{Name: "level", Kind: Enum, Enum: Levels, Required: true},
			{Name: "parent_code", Kind: Code},
			{Name: "key_county", Kind: Enum, Enum: KeyCounty, Default: "none"},
			{Name: "poverty_exit", Kind: Bool, Default: false},
			{Name: "population", Kind: Integer, Min: 0, Max: 2e9},
			{Name: "settlement", Kind: Enum, Enum: Settlements},
		},
		Filters: []Filter{
			{Param: "region", Column: "code", Op: "prefix"},
			{Param: "level", Column: "level", Op: "eq", Enum: Levels},
			{Param: "parent_code", Column: "parent_code", Op: "eq"},
			{Param: "settlement", Column: "settlement", Op: "eq", Enum: Settlements},
		},
	},
	{
		// Areas are the regions' boundaries as maps and GIS clients draw
		// them: the given polygons, and for regions known only by a point
		// the area derived from it (derived: true), recomputed whenever
		// regions change. Written only through the regions layer.
		Name: "areas", Title: "Region areas (given boundaries, and areas derived from points)", Table: "region", View: "region_area_feature", Key: "code",
		Geometry: []string{"MultiPolygon"}, Multi: true, ReadOnly: true,
		WriteHint: "write the regions layer instead: a region given as a point gets an area derived from it",
		Fields: []Field{
			{Name: "code", Kind: Code},
			{Name: "name", Kind: Text},
			{Name: "level", Kind: Enum, Enum: Levels},
			{Name: "parent_code", Kind: Code},
			{Name: "derived", Kind: Bool},
			{Name: "area_km2", Kind: Number},
		},
		Filters: []Filter{
			{Param: "region", Column: "code", Op: "prefix"},
			{Param: "level", Column: "level", Op: "eq", Enum: Levels},
			{Param: "parent_code", Column: "parent_code", Op: "eq"},
		},
	},
	{
		Name: "producers", Title: "Producers (farms, cooperatives, bases)", Table: "producer", View: "producer_feature", Key: "id",
		Geometry: []string{"Point"}, IDPrefix: "p-",
		Fields: []Field{
			{Name: "id", Kind: Text},
			{Name: "name", Kind: Text, Default: ""},
			{Name: "operator_type", Kind: Enum, Enum: OperatorTypes, Required: true},
			{Name: "product_class", Kind: Class, Required: true},
			{Name: "annual_output_t", Kind: Number, Required: true, Min: 0, Max: 1e8},
			{Name: "harvest_months", Kind: Shares},
		},
		Filters: []Filter{
			regionFilter,
			{Param: "product_class", Column: "product_class", Op: "eq"},
			{Param: "operator_type", Column: "operator_type", Op: "eq", Enum: OperatorTypes},
			{Param: "min_output_t", Column: "annual_output_t", Op: "min"},
		},
	},
	{
		Name: "facilities", Title: "Storage, pre-cooling and cold-chain facilities", Table: "facility", View: "facility_feature", Key: "id",
		Geometry: []string{"Point", "Polygon", "MultiPolygon"}, IDPrefix: "f-",
		Fields: []Field{
			{Name: "id", Kind: Text},
			{Name: "name", Kind: Text, Default: ""},
			{Name: "facility_type", Kind: Enum, Enum: FacilityTypes, Required: true},
			{Name: "tier", Kind: Enum, Enum: Tiers, Required: true},
			{Name: "status", Kind: Enum, Enum: FacilityStatus, Default: "existing"},
			{Name: "capacity_t", Kind: Capacity},
			{Name: "product_classes", Kind: ClassList, Default: []string{}},
			{Name: "build_cost", Kind: Number, Min: 0, Max: 1e9},
		},
		Filters: []Filter{
			regionFilter,
			{Param: "facility_type", Column: "facility_type", Op: "eq", Enum: FacilityTypes},
			{Param: "tier", Column: "tier", Op: "eq", Enum: Tiers},
			{Param: "status", Column: "status", Op: "eq", Enum: FacilityStatus},
			{Param: "product_class", Column: "product_classes", Op: "contains_or_empty"},
		},
	},
	{
		Name: "candidates", Title: "Candidate sites for new facilities", Table: "candidate_site", View: "candidate_site_feature", Key: "id",
		Geometry: []string{"Point"}, IDPrefix: "c-",
		Fields: []Field{
			{Name: "id", Kind: Text},
			{Name: "name", Kind: Text, Default: ""},
			{Name: "allowed_tiers", Kind: EnumList, Enum: Tiers, Required: true},
			{Name: "allowed_types", Kind: EnumList, Enum: FacilityTypes, Default: []string{}},
			{Name: "build_cost", Kind: Number, Min: 0, Max: 1e9, Default: 0.0},
			{Name: "land_use", Kind: Enum, Enum: LandUses, Required: true},
			{Name: "source", Kind: Enum, Enum: SiteSources, Default: "user"},
		},
		Filters: []Filter{
			regionFilter,
			{Param: "tier", Column: "allowed_tiers", Op: "contains", Enum: Tiers},
			{Param: "land_use", Column: "land_use", Op: "eq", Enum: LandUses},
			{Param: "source", Column: "source", Op: "eq", Enum: SiteSources},
		},
	},
	{
		Name: "exclusions", Title: "Exclusion zones (red lines, basic farmland, flood, water source)", Table: "exclusion_zone", View: "exclusion_zone_feature", Key: "id",
		Geometry: []string{"MultiPolygon", "Polygon"}, Multi: true, PromotePolygons: true, IDPrefix: "x-",
		Fields: []Field{
			{Name: "id", Kind: Text},
			{Name: "name", Kind: Text, Default: ""},
			{Name: "kind", Kind: Enum, Enum: ExclusionKinds, Required: true},
			{Name: "applies_to_tiers", Kind: EnumList, Enum: Tiers, Derive: func(v map[string]any) any {
				kind, _ := v["kind"].(string)
				return defaultExclusionTiers(kind)
			}},
		},
		Filters: []Filter{
			regionFilter,
			{Param: "kind", Column: "kind", Op: "eq", Enum: ExclusionKinds},
			{Param: "tier", Column: "applies_to_tiers", Op: "contains", Enum: Tiers},
		},
	},
	{
		Name: "roads", Title: "Road network (edges with travel times)", Table: "road", View: "road_feature", Key: "id",
		Geometry: []string{"LineString"}, ReadOnly: true,
		WriteHint: "import a whole network with `coldchain import roads FILE.osm.pbf` (or a GeoJSON road file)",
		Fields: []Field{
			{Name: "id", Kind: Integer},
			{Name: "way", Kind: Text},
			{Name: "name", Kind: Text},
			{Name: "ref", Kind: Text},
			{Name: "highway", Kind: Enum, Enum: RoadClasses},
			{Name: "oneway", Kind: Bool},
			{Name: "maxspeed_kmh", Kind: Number},
			{Name: "speed_kmh", Kind: Number},
			{Name: "length_m", Kind: Number},
			{Name: "minutes", Kind: Number},
			{Name: "source", Kind: Integer},
			{Name: "target", Kind: Integer},
		},
		Filters: []Filter{
			regionFilter,
			{Param: "highway", Column: "highway", Op: "eq", Enum: RoadClasses},
		},
	},
}

// ByName returns the layer called name (also accepting the table name and
// a few synonyms), or an error listing the layers.
func ByName(name string) (*Layer, error) {
	n := strings.ToLower(strings.TrimSpace(name))
	for _, l := range All {
		if n == l.Name || n == l.Table {
			return l, nil
		}
	}
	switch n {
	case "candidate_sites", "sites":
		return ByName("candidates")
	case "exclusion_zones":
		return ByName("exclusions")
	}
	return nil, fmt.Errorf("unknown layer %q (want %s)", name, strings.Join(Names(), ", "))
}

// Names returns the layer names.
func Names() []string {
	out := make([]string, len(All))
	for i, l := range All {
		out[i] = l.Name
	}
	return out
}

// Columns returns the storage columns written from features, key first,
// capacity expanded per zone, geometry excluded.
func (l *Layer) Columns() []string {
	var cols []string
	for _, f := range l.Fields {
		if f.Kind == Capacity {
			for _, z := range Zones {
				cols = append(cols, "capacity_"+z+"_t")
			}
			continue
		}
		cols = append(cols, f.Name)
	}
	return cols
}

// defaultExclusionTiers: basic farmland allows field cold rooms (docs/design.md#domain-model);
// the other kinds forbid every tier.
func defaultExclusionTiers(kind string) []string {
	if kind == "basic_farmland" {
		return []string{"township", "county", "prefecture", "national"}
	}
	return append([]string(nil), Tiers...)
}
