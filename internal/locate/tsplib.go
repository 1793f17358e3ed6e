package locate

import (
	"bufio"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
)

// tsplibMaxArcs bounds the cost matrix readTSPLIB builds: up to
// sqrt(tsplibMaxArcs) nodes every node keeps every other node; above that
// each keeps only its tsplibMaxArcs/n nearest.
const tsplibMaxArcs = 36_000_000

// readTSPLIB reads a TSPLIB file with EDGE_WEIGHT_TYPE EUC_2D and a
// NODE_COORD_SECTION. Every node becomes a unit-weight demand and a candidate
// site (ID = the node number) and costs are real, unrounded Euclidean
// distances built with BuildCosts. Up to 6000 nodes each demand's row holds
// every node; above that it holds the 36e6/n nearest (so very large files
// stay within memory). Other edge weight types are rejected.
func readTSPLIB(r io.Reader) (*Instance, error) {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 64*1024), 1<<20)
	t := &tsplibReader{in: &Instance{}, dim: -1, seen: map[string]bool{}}
	for sc.Scan() {
		t.line++
		text := strings.TrimFunc(sc.Text(), isSep)
		if text == "" {
			continue
		}
		if f := fields(text); t.inCoords && !isTSPLIBKeyword(f[0]) {
			if err := t.node(text, f); err != nil {
				return nil, err
			}
			continue
		}
		t.inCoords = false
		eof, err := t.keyword(text)
		if err != nil {
			return nil, err
		}
		if eof {
			break
		}
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("tsplib: line %d: %w", t.line+1, err)
	}
	return t.finish()
}

// tsplibReader is the state of reading one TSPLIB file.
type tsplibReader struct {
	in         *Instance
	dim        int // DIMENSION, -1 until given
	line       int // current line number
	weightType string
	inCoords   bool            // in the NODE_COORD_SECTION
	seen       map[string]bool // node numbers read
}

// node reads a NODE_COORD_SECTION line "node x y" (fields f) into a demand
// point and a candidate site.
func (t *tsplibReader) node(text string, f []string) error {
	if len(f) != 3 {
		return fmt.Errorf("tsplib: line %d: want \"node x y\", got %s", t.line, excerpt(text))
	}
	x, err1 := strconv.ParseFloat(f[1], 64)
	y, err2 := strconv.ParseFloat(f[2], 64)
	if err1 != nil || err2 != nil || math.IsNaN(x+y) || math.IsInf(x+y, 0) {
		return fmt.Errorf("tsplib: line %d: coordinates %s %s are not finite numbers", t.line, excerpt(f[1]), excerpt(f[2]))
	}
	if t.seen[f[0]] {
		return fmt.Errorf("tsplib: line %d: node %s appears twice", t.line, clip(f[0]))
	}
	t.seen[f[0]] = true
	t.in.Demand = append(t.in.Demand, Demand{ID: f[0], X: x, Y: y, Weight: 1})
	t.in.Sites = append(t.in.Sites, Site{ID: f[0], X: x, Y: y})
	return nil
}

// keyword reads a specification line ("KEY: value"); eof reports the EOF
// keyword.
func (t *tsplibReader) keyword(text string) (eof bool, err error) {
	key, val, ok := strings.Cut(text, ":")
	key, val = strings.TrimSpace(key), strings.TrimSpace(val)
	if !ok {
		// "NODE_COORD_SECTION" and "EOF" stand alone; some files also
		// write "KEY VALUE" without a colon.
		f := fields(text)
		key, val = f[0], strings.TrimSpace(strings.TrimPrefix(text, f[0]))
	}
	switch strings.ToUpper(key) {
	case "NAME":
		t.in.Name = val
	case "DIMENSION":
		d, err := strconv.Atoi(val)
		if err != nil || d < 1 {
			return false, fmt.Errorf("tsplib: line %d: DIMENSION %s is not a positive integer", t.line, excerpt(val))
		}
		t.dim = d
	case "EDGE_WEIGHT_TYPE":
		t.weightType = strings.ToUpper(val)
		if t.weightType != "EUC_2D" {
			return false, fmt.Errorf("tsplib: line %d: EDGE_WEIGHT_TYPE %s is not supported (only EUC_2D)", t.line, clip(val))
		}
	case "NODE_COORD_SECTION":
		if t.weightType == "" {
			return false, fmt.Errorf("tsplib: line %d: NODE_COORD_SECTION before EDGE_WEIGHT_TYPE (want EUC_2D)", t.line)
		}
		t.inCoords = true
	case "EOF":
		return true, nil
	case "EDGE_WEIGHT_SECTION", "DISPLAY_DATA_SECTION", "FIXED_EDGES_SECTION", "TOUR_SECTION", "DEMAND_SECTION", "DEPOT_SECTION":
		return false, fmt.Errorf("tsplib: line %d: %s is not supported (want an EUC_2D NODE_COORD_SECTION)", t.line, clip(key))
	case "TYPE", "COMMENT", "NODE_COORD_TYPE", "DISPLAY_DATA_TYPE", "CAPACITY", "EDGE_WEIGHT_FORMAT", "EDGE_DATA_FORMAT":
		// Informational here.
	default:
		return false, fmt.Errorf("tsplib: line %d: unknown keyword %s", t.line, excerpt(key))
	}
	return false, nil
}

// finish checks what was read and builds the costs.
func (t *tsplibReader) finish() (*Instance, error) {
	in := t.in
	if t.weightType == "" {
		return nil, fmt.Errorf("tsplib: no EDGE_WEIGHT_TYPE (want EUC_2D)")
	}
	if len(in.Demand) == 0 {
		return nil, fmt.Errorf("tsplib: no NODE_COORD_SECTION nodes")
	}
	if t.dim >= 0 && t.dim != len(in.Demand) {
		return nil, fmt.Errorf("tsplib: DIMENSION is %d but %d nodes were read", t.dim, len(in.Demand))
	}
	if in.Name == "" {
		in.Name = fmt.Sprintf("tsplib n=%d", len(in.Demand))
	}
	n := len(in.Demand)
	k := 0
	if n*n > tsplibMaxArcs {
		k = tsplibMaxArcs / n
	}
	if err := BuildCosts(in, Euclidean, 0, k); err != nil {
		return nil, fmt.Errorf("tsplib: %w", err)
	}
	return in, nil
}

// isTSPLIBKeyword reports whether s starts a TSPLIB specification line.
func isTSPLIBKeyword(s string) bool {
	s, _, _ = strings.Cut(s, ":")
	s = strings.ToUpper(s)
	switch s {
	case "NAME", "TYPE", "COMMENT", "DIMENSION", "EDGE_WEIGHT_TYPE", "NODE_COORD_TYPE",
		"DISPLAY_DATA_TYPE", "DISPLAY_DATA_SECTION", "EOF", "CAPACITY", "EDGE_WEIGHT_FORMAT",
		"EDGE_WEIGHT_SECTION", "FIXED_EDGES_SECTION", "TOUR_SECTION", "DEMAND_SECTION", "DEPOT_SECTION",
		"NODE_COORD_SECTION", "EDGE_DATA_FORMAT":
		return true
	}
	return false
}
