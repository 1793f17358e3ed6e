package locate

import (
	"reflect"
	"strings"
	"testing"
)

// readCase is a small valid file of a text format; extra is a value that
// may follow its last expected one.
type readCase struct {
	format       Format
	text, demand string
}

var readCases = []readCase{
	{FormatSSCFLP, "2 3\n10 100\n20 200\n1 2 3\n5 6 7\n8 9 4\n", ""},
	{FormatLorena, "3 2\n0 0 10 4\n3 4 12 5\n6 8 9 1\n", ""},
	{FormatORLibPMed, "3 2 1\n1 2 5\n2 3 7\n", ""},
	{FormatSJC, "2\r\n0 0\r\n3 4\r\n", "1\r\n2\r\n"},
	{FormatTSPLIB, "NAME : t\nEDGE_WEIGHT_TYPE : EUC_2D\nNODE_COORD_SECTION\n1 0 0\n2 3 4\nEOF\n", ""},
}

func (c readCase) read(t *testing.T, text, demand string) (*Instance, []string) {
	t.Helper()
	var warnings []string
	opt := ReadOptions{Warn: func(m string) { warnings = append(warnings, m) }}
	if c.format == FormatSJC {
		opt.Demand = strings.NewReader(demand)
	}
	in, err := ReadInstance(c.format, strings.NewReader(text), opt)
	if err != nil {
		t.Fatalf("%s: %v", c.format, err)
	}
	return in, warnings
}

// TestReadTrailing reads each format clean, padded with NUL bytes, and with
// extra trailing values: the instance is the same every time, the extra
// values (and only they) bring a warning naming them.
func TestReadTrailing(t *testing.T) {
	pad := strings.Repeat("\x00", 300)
	for _, c := range readCases {
		t.Run(string(c.format), func(t *testing.T) {
			want, w := c.read(t, c.text, c.demand)
			if len(w) != 0 {
				t.Fatalf("clean file warned: %v", w)
			}
			got, w := c.read(t, c.text+pad, c.demand+pad)
			if !reflect.DeepEqual(got, want) || len(w) != 0 {
				t.Errorf("NUL padding: instance differs or warnings %v", w)
			}
			if c.format == FormatTSPLIB {
				return // text after EOF is outside the data by definition
			}
			extra := "\n17 18\n" + pad
			got, w = c.read(t, c.text+extra, c.demand)
			if !reflect.DeepEqual(got, want) || len(w) != 1 || !strings.Contains(w[0], "ignored 2 extra value(s)") || !strings.Contains(w[0], `"17"`) {
				t.Errorf("extra values: warnings %q", w)
			}
			if c.format == FormatSJC {
				got, w = c.read(t, c.text, c.demand+"3\n")
				if !reflect.DeepEqual(got, want) || len(w) != 1 || !strings.Contains(w[0], "demand file") {
					t.Errorf("extra demand values: warnings %q", w)
				}
			}
		})
	}
}

// TestReadErrorExcerpt checks that a long bad token is quoted only in part.
func TestReadErrorExcerpt(t *testing.T) {
	junk := strings.Repeat("\x01", 500)
	for _, c := range readCases {
		t.Run(string(c.format), func(t *testing.T) {
			_, rest, _ := strings.Cut(c.text, " ")
			if c.format == FormatSJC {
				_, rest, _ = strings.Cut(c.text, "\r\n")
			}
			text := junk + " " + rest
			if c.format == FormatTSPLIB {
				text = "NAME : t\nEDGE_WEIGHT_TYPE : EUC_2D\nNODE_COORD_SECTION\n1 0 " + junk + "\n"
			}
			opt := ReadOptions{Demand: strings.NewReader(c.demand)}
			_, err := ReadInstance(c.format, strings.NewReader(text), opt)
			if err == nil {
				t.Fatal("junk accepted")
			}
			if msg := err.Error(); len(msg) > 300 || !strings.Contains(msg, "(500 bytes)") {
				t.Errorf("error of %d bytes: %s", len(msg), msg)
			}
		})
	}
}

// TestFormatRegistry checks the registry: every format once, a reader and
// a description each, lookups by name, and an error listing the names.
func TestFormatRegistry(t *testing.T) {
	seen := map[Format]bool{}
	for _, f := range Formats() {
		if seen[f.Name] || f.read == nil || f.Description == "" {
			t.Errorf("format %q: duplicate, or no reader or description", f.Name)
		}
		seen[f.Name] = true
		got, err := LookupFormat(string(f.Name))
		if err != nil || got.Name != f.Name {
			t.Errorf("LookupFormat(%q) = %v, %v", f.Name, got.Name, err)
		}
	}
	for _, f := range []Format{FormatORLibPMed, FormatSSCFLP, FormatLorena, FormatSJC, FormatTSPLIB, FormatJSON} {
		if !seen[f] {
			t.Errorf("format %q is not registered", f)
		}
	}
	_, err := ReadInstance("csv", strings.NewReader(""), ReadOptions{})
	if err == nil || !strings.Contains(err.Error(), FormatNames()) {
		t.Errorf("unknown format: %v", err)
	}
	if got := FormatNames(); !strings.HasSuffix(got, " or json") || strings.Count(got, ",") != len(Formats())-2 {
		t.Errorf("FormatNames() = %q", got)
	}
}

// FuzzReadORLibPMed checks that the orlib-pmed reader never panics and that
// what it accepts is a valid instance with p in range.
func FuzzReadORLibPMed(f *testing.F) {
	f.Add("3 2 1\n1 2 5\n2 3 7\n")
	f.Add("3 2 1\n1 2 5\n2 3 7\n\x00\x00\x00")
	f.Add("2 1 2\n1 2 1e400\n")
	f.Fuzz(func(t *testing.T, text string) {
		in, err := ReadInstance(FormatORLibPMed, strings.NewReader(text), ReadOptions{})
		if err != nil {
			return
		}
		if err := in.Validate(); err != nil {
			t.Fatalf("accepted an invalid instance: %v", err)
		}
		if in.P < 1 || in.P > len(in.Sites) {
			t.Fatalf("p = %d for %d vertices", in.P, len(in.Sites))
		}
	})
}

// FuzzReadTSPLIB checks that the tsplib reader never panics and that what
// it accepts is a valid instance with complete rows.
func FuzzReadTSPLIB(f *testing.F) {
	f.Add("NAME : t\nEDGE_WEIGHT_TYPE : EUC_2D\nNODE_COORD_SECTION\n1 0 0\n2 3 4\nEOF\n")
	f.Add("DIMENSION : 1\nEDGE_WEIGHT_TYPE : EUC_2D\nNODE_COORD_SECTION\n1 1e308 -1e308\n")
	f.Fuzz(func(t *testing.T, text string) {
		in, err := ReadInstance(FormatTSPLIB, strings.NewReader(text), ReadOptions{})
		if err != nil {
			return
		}
		if err := in.Validate(); err != nil {
			t.Fatalf("accepted an invalid instance: %v", err)
		}
		if n := len(in.Demand); n <= 6000 && in.Costs.Len() != n*n {
			t.Fatalf("%d arcs for %d nodes", in.Costs.Len(), n)
		}
	})
}
