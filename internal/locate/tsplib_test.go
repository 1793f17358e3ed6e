package locate

import (
	"math"
	"strings"
	"testing"
)

func TestReadTSPLIB(t *testing.T) {
	const src = `NAME : tiny4
COMMENT : four nodes
TYPE : TSP
DIMENSION : 4
EDGE_WEIGHT_TYPE : EUC_2D
NODE_COORD_SECTION
1 0 0
2 3 4
3 0 1.5
4 -1 0
EOF
`
	in, err := ReadInstance(FormatTSPLIB, strings.NewReader(src), ReadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if in.Name != "tiny4" || len(in.Demand) != 4 || len(in.Sites) != 4 || in.Costs.Len() != 16 {
		t.Fatalf("name %q, %d demand, %d sites, %d arcs", in.Name, len(in.Demand), len(in.Sites), in.Costs.Len())
	}
	if in.Demand[1].ID != "2" || in.Demand[1].Weight != 1 || in.Sites[1].X != 3 {
		t.Errorf("node 2: %+v %+v", in.Demand[1], in.Sites[1])
	}
	s, c := in.Costs.Row(0)
	wantS := []int32{0, 3, 2, 1}
	wantC := []float64{0, 1, 1.5, 5}
	for k := range wantS {
		if s[k] != wantS[k] || math.Abs(c[k]-wantC[k]) > 1e-12 {
			t.Fatalf("row 0: %v %v, want %v %v", s, c, wantS, wantC)
		}
	}
	// Real distances, not TSPLIB's rounded nint.
	_, c = in.Costs.Row(2)
	if got := c[len(c)-1]; math.Abs(got-math.Hypot(3, 2.5)) > 1e-12 {
		t.Errorf("distance 3-2 is %v, want %v", got, math.Hypot(3, 2.5))
	}
}

func TestReadTSPLIBErrors(t *testing.T) {
	tests := []struct {
		name, src, want string
	}{
		{"geo", "NAME: g\nEDGE_WEIGHT_TYPE: GEO\nNODE_COORD_SECTION\n1 1 1\n", "GEO is not supported"},
		{"att", "EDGE_WEIGHT_TYPE : ATT\n", "ATT is not supported"},
		{"explicit", "EDGE_WEIGHT_TYPE: EUC_2D\nEDGE_WEIGHT_SECTION\n", "EDGE_WEIGHT_SECTION is not supported"},
		{"no type", "NAME: x\nNODE_COORD_SECTION\n1 0 0\n", "before EDGE_WEIGHT_TYPE"},
		{"dimension", "DIMENSION: 3\nEDGE_WEIGHT_TYPE: EUC_2D\nNODE_COORD_SECTION\n1 0 0\n2 1 1\nEOF\n", "DIMENSION is 3 but 2"},
		{"bad coordinate", "EDGE_WEIGHT_TYPE: EUC_2D\nNODE_COORD_SECTION\n1 0 zero\n", "line 3"},
		{"short line", "EDGE_WEIGHT_TYPE: EUC_2D\nNODE_COORD_SECTION\n1 0\n", "line 3"},
		{"duplicate", "EDGE_WEIGHT_TYPE: EUC_2D\nNODE_COORD_SECTION\n1 0 0\n1 2 2\n", "node 1 appears twice"},
		{"no nodes", "EDGE_WEIGHT_TYPE: EUC_2D\nEOF\n", "no NODE_COORD_SECTION nodes"},
		{"unknown keyword", "FOO: bar\n", "unknown keyword"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ReadInstance(FormatTSPLIB, strings.NewReader(tc.src), ReadOptions{})
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error %v, want one containing %q", err, tc.want)
			}
		})
	}
}
