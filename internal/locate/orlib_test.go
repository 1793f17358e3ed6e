package locate

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

func TestReadORLibPMed(t *testing.T) {
	// 1-2 (10, then overwritten by the reversed duplicate 2-1 with 4),
	// 2-3 (3), 3-4 (7, then 1: last wins), vertex 5 isolated.
	const src = `5 6 2
1 2 10
2 3 3
3 4 7
2 1 4
3 4 1
1 1 9
`
	in, err := ReadInstance(FormatORLibPMed, strings.NewReader(src), ReadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if in.P != 2 || len(in.Demand) != 5 || len(in.Sites) != 5 {
		t.Fatalf("P %d, %d demand, %d sites", in.P, len(in.Demand), len(in.Sites))
	}
	if in.Demand[2].ID != "3" || in.Demand[2].Weight != 1 || in.Sites[4].ID != "5" {
		t.Errorf("ids/weights: %+v %+v", in.Demand[2], in.Sites[4])
	}
	tests := []struct {
		demand int
		sites  []int32
		costs  []float64
	}{
		{0, []int32{0, 1, 2, 3}, []float64{0, 4, 7, 8}},
		{1, []int32{1, 2, 0, 3}, []float64{0, 3, 4, 4}}, // a tie at 4: site index order
		{3, []int32{3, 2, 1, 0}, []float64{0, 1, 4, 8}},
		{4, []int32{4}, []float64{0}},
	}
	for _, tc := range tests {
		s, c := in.Costs.Row(tc.demand)
		if !slices.Equal(s, tc.sites) || !slices.Equal(c, tc.costs) {
			t.Errorf("demand %d: row %v %v, want %v %v", tc.demand, s, c, tc.sites, tc.costs)
		}
	}
	if err := in.Validate(); err != nil {
		t.Error(err)
	}
}

func TestReadORLibPMedErrors(t *testing.T) {
	tests := []struct {
		name, src, want string
	}{
		{"empty", "", "empty input"},
		{"header fields", "5 6\n", "line 1"},
		{"header number", "5 x 2\n", "m = \"x\""},
		{"p too large", "3 1 4\n1 2 3\n", "p = 4"},
		{"missing edges", "3 2 1\n1 2 3\n", "after 1 of 2 edges"},
		{"vertex range", "3 1 1\n\n1 4 3\n", "line 3: vertex out of range"},
		{"bad cost", "3 1 1\n1 2 x\n", "line 2: cost"},
		{"negative cost", "3 1 1\n1 2 -1\n", "line 2: cost"},
		{"edge fields", "3 1 1\n1 2\n", "line 2"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ReadInstance(FormatORLibPMed, strings.NewReader(tc.src), ReadOptions{})
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error %v, want one containing %q", err, tc.want)
			}
		})
	}
}

func TestReadORLibPMedFile(t *testing.T) {
	dir := pmedBenchDir(t)
	f, err := os.Open(filepath.Join(dir, "orlib-pmed", "pmed1.txt"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	in, err := ReadInstance(FormatORLibPMed, f, ReadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if in.Name != "pmed1" || in.P != 5 || len(in.Demand) != 100 || in.Costs.Len() != 100*100 {
		t.Fatalf("name %q, P %d, %d demand, %d arcs", in.Name, in.P, len(in.Demand), in.Costs.Len())
	}
	for i := range in.Demand {
		s, c := in.Costs.Row(i)
		if s[0] != int32(i) || c[0] != 0 || !slices.IsSorted(c) {
			t.Fatalf("row %d does not start at itself or is not sorted", i)
		}
	}
}
