package locate

import (
	"fmt"
	"io"
	"strings"
	"unicode"
	"unicode/utf8"
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

// FormatInfo describes one instance file format: the single declaration the
// reader, the command line (help and validation) and the benchmarks use.
type FormatInfo struct {
	Name        Format
	Description string // one line, for help texts
	// NeedsDemand is set when the format takes a separate demand file
	// (ReadOptions.Demand).
	NeedsDemand bool
	// StatesP is set when the file states the number of sites p.
	StatesP bool
	read    func(r io.Reader, opt ReadOptions) (*Instance, error)
}

// formats is the registry of instance formats, in the order help lists them.
var formats = []FormatInfo{
	{Name: FormatORLibPMed, Description: "Beasley's OR-Library p-median graphs (n m p, then i j cost edges)", StatesP: true,
		read: func(r io.Reader, opt ReadOptions) (*Instance, error) { return readORLibPMed(r, opt.warn) }},
	{Name: FormatSSCFLP, Description: "single-source CFLP, facility-major (m n, capacity fixed-cost pairs, demands, m rows of n costs)",
		read: func(r io.Reader, opt ReadOptions) (*Instance, error) { return readSSCFLP(r, opt.warn) }},
	{Name: FormatLorena, Description: "capacitated p-median of Lorena and Senne (n p, then x y capacity demand)", StatesP: true,
		read: func(r io.Reader, opt ReadOptions) (*Instance, error) { return readLorena(r, opt.warn) }},
	{Name: FormatSJC, Description: "São José dos Campos covering set: coordinates file plus a demand file (--demand)", NeedsDemand: true,
		read: func(r io.Reader, opt ReadOptions) (*Instance, error) { return readSJC(r, opt.Demand, opt.warn) }},
	{Name: FormatTSPLIB, Description: "TSPLIB EUC_2D node coordinates (every node a unit demand and a candidate)",
		read: func(r io.Reader, opt ReadOptions) (*Instance, error) { return readTSPLIB(r) }},
	{Name: FormatJSON, Description: "coldchain's native instance (points, sites, metric, problem settings)", StatesP: true,
		read: func(r io.Reader, opt ReadOptions) (*Instance, error) { return readJSON(r) }},
}

// Formats returns the instance formats, in a stable order.
func Formats() []FormatInfo { return append([]FormatInfo(nil), formats...) }

// FormatNames returns the format names as a readable list, e.g.
// "orlib-pmed, sscflp, …, tsplib or json".
func FormatNames() string {
	names := make([]string, len(formats))
	for x, f := range formats {
		names[x] = string(f.Name)
	}
	return strings.Join(names[:len(names)-1], ", ") + " or " + names[len(names)-1]
}

// LookupFormat returns the format named name, or an error listing the
// valid names.
func LookupFormat(name string) (FormatInfo, error) {
	for _, f := range formats {
		if string(f.Name) == name {
			return f, nil
		}
	}
	return FormatInfo{}, fmt.Errorf("unknown format %s (want %s)", excerpt(name), FormatNames())
}

// ReadOptions carries what a format does not hold itself.
type ReadOptions struct {
	// Demand is the separate demand file of the sjc format (one weight per line).
	Demand io.Reader
	// Warn, when set, receives a message for each irregularity the reader
	// tolerates (trailing padding or extra values); nil drops them.
	Warn func(msg string)
}

func (o ReadOptions) warn(msg string) {
	if o.Warn != nil {
		o.Warn(msg)
	}
}

// ReadInstance parses an instance in format f from r.
func ReadInstance(f Format, r io.Reader, opt ReadOptions) (*Instance, error) {
	fi, err := LookupFormat(string(f))
	if err != nil {
		return nil, err
	}
	return fi.read(r, opt)
}

// excerptMax is the most bytes of input an error message quotes.
const excerptMax = 24

// excerpt quotes at most excerptMax bytes of s for an error message, saying
// how long s is when it was cut.
func excerpt(s string) string {
	if len(s) <= excerptMax {
		return fmt.Sprintf("%q", s)
	}
	cut := excerptMax
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return fmt.Sprintf("%q… (%d bytes)", s[:cut], len(s))
}

// clip returns s, or its first excerptMax bytes with its length when it is
// longer, quoted when it holds anything but printable characters.
func clip(s string) string {
	for _, r := range s {
		if !unicode.IsPrint(r) {
			return excerpt(s)
		}
	}
	if len(s) <= excerptMax {
		return s
	}
	cut := excerptMax
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return fmt.Sprintf("%s… (%d bytes)", s[:cut], len(s))
}

// isSep reports whether r separates tokens in the text formats: white space,
// and the NUL bytes some published files are padded with.
func isSep(r rune) bool { return r == 0 || unicode.IsSpace(r) }

// fields splits a line into tokens at white space and NUL bytes.
func fields(s string) []string { return strings.FieldsFunc(s, isSep) }

// extraWarning describes the values a reader ignores after the last one it
// expected.
func extraWarning(format string, line, count int, first string) string {
	return fmt.Sprintf("%s: line %d: ignored %d extra value(s) after the last expected one, starting with %s", format, line, count, excerpt(first))
}
