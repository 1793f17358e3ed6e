package locate

import (
	"fmt"
	"io"
)

// Format names an instance file format.
type Format string

// The instance formats ReadInstance understands (see the README of
// ../shared/benchmarks and docs/design.md#location-engine).
const (
	FormatORLibPMed Format = "orlib-pmed" // Beasley's p-median graphs
	FormatSSCFLP    Format = "sscflp"     // facility-major single-source CFLP
	FormatLorena    Format = "lorena"     // capacitated p-median: n p, then x y Q q
	FormatSJC       Format = "sjc"        // coordinates file + demand file (MCLP)
	FormatTSPLIB    Format = "tsplib"     // EUC_2D node coordinates
	FormatJSON      Format = "json"       // coldchain's native instance
)

// ReadOptions carries what a format does not hold itself.
type ReadOptions struct {
	// Demand is the separate demand file of the sjc format (one weight per line).
	Demand io.Reader
}

// ReadInstance parses an instance in format f from r.
func ReadInstance(f Format, r io.Reader, opt ReadOptions) (*Instance, error) {
	switch f {
	case FormatORLibPMed:
		return readORLibPMed(r)
	case FormatSSCFLP:
		return readSSCFLP(r)
	case FormatLorena:
		return readLorena(r)
	case FormatSJC:
		return readSJC(r, opt.Demand)
	case FormatTSPLIB:
		return readTSPLIB(r)
	case FormatJSON:
		return readJSON(r)
	}
	return nil, fmt.Errorf("unknown format %q (want orlib-pmed, sscflp, lorena, sjc, tsplib or json)", f)
}
