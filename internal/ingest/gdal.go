package ingest

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"

	"github.com/coldchain/coldchain/internal/derrors"
	"github.com/coldchain/coldchain/internal/layer"
)

// GDAL is the format of files read through GDAL's ogr2ogr (Shapefile,
// GeoPackage, KML, spreadsheets …): converted into a GeoJSON (or, for
// spreadsheets, CSV) stream that the importer reads like any other file,
// in the file's own CRS, which PostGIS then transforms.
const GDAL = "gdal"

// gdalExts are the file name extensions read through GDAL, with the stream
// ogr2ogr turns them into.
var gdalExts = map[string]string{
	".shp": GeoJSON, ".zip": GeoJSON, ".gpkg": GeoJSON, ".kml": GeoJSON, ".kmz": GeoJSON,
	".gml": GeoJSON, ".tab": GeoJSON, ".mif": GeoJSON, ".fgb": GeoJSON, ".sqlite": GeoJSON,
	".xlsx": CSV, ".ods": CSV,
}

// errNoGDAL says how to get GDAL.
func errNoGDAL(tool, path string) error {
	return derrors.Invalid("reading %s needs GDAL's %s, which is not installed: install the Debian package gdal-bin "+
		"(sudo apt-get install gdal-bin), or convert the file to GeoJSON or CSV elsewhere", filepath.Base(path), tool)
}

// ImportFile imports the file at path into layer l, all or nothing, like
// Import; files GDAL reads (opt.Format GDAL, or a name ending in .shp,
// .zip, .gpkg, .kml, .kmz, .gml, .tab, .mif, .fgb, .sqlite, .xlsx, .ods)
// go through ogr2ogr first. opt.Layer picks a layer of a multi-layer
// source; opt.Encoding is a shapefile's text encoding.
func ImportFile(ctx context.Context, st *layer.Store, l *layer.Layer, path string, opt Options) (layer.LoadResult, error) {
	if err := opt.Check(); err != nil {
		return layer.LoadResult{}, err
	}
	if opt.Format == "" {
		opt.Format = DetectFormat(path)
	}
	if opt.Format != GDAL {
		if opt.Layer != "" {
			return layer.LoadResult{}, derrors.Invalid("--layer: only for files GDAL reads (Shapefile, GeoPackage, KML, spreadsheets …), not %s", filepath.Base(path))
		}
		f, err := os.Open(path)
		if err != nil {
			return layer.LoadResult{}, err
		}
		defer f.Close()
		return Import(ctx, st, l, f, opt)
	}
	src, err := openGDAL(ctx, path, opt)
	if err != nil {
		return layer.LoadResult{}, err
	}
	defer src.Close()
	opt.Format, opt.Encoding, opt.crs = src.format, "", src.crs
	res, err := Import(ctx, st, l, src, opt)
	if err == nil {
		res.Notes = append(res.Notes, "read "+src.what+" through GDAL")
	}
	return res, err
}

// gdalSource is ogr2ogr's output: one layer of a GDAL dataset as GeoJSON
// or CSV text on its standard output.
type gdalSource struct {
	cmd    *exec.Cmd
	out    io.ReadCloser
	stderr *bytes.Buffer
	cancel context.CancelFunc
	path   string
	format string    // GeoJSON or CSV
	crs    sourceCRS // the layer's own CRS
	what   string    // "layer L of FILE (CRS)" for the notes
	waited bool
	end    error // io.EOF, or why ogr2ogr failed
}

// openGDAL starts ogr2ogr on one layer of the file at path.
func openGDAL(ctx context.Context, path string, opt Options) (*gdalSource, error) {
	for _, tool := range []string{"ogrinfo", "ogr2ogr"} {
		if _, err := exec.LookPath(tool); err != nil {
			return nil, errNoGDAL(tool, path)
		}
	}
	if _, err := os.Stat(path); err != nil {
		return nil, err
	}
	ext := strings.ToLower(filepath.Ext(path))
	ds := path
	if !filepath.IsAbs(ds) {
		ds = "./" + filepath.ToSlash(ds) // never read as an option
	}
	if ext == ".zip" {
		abs, _ := filepath.Abs(path)
		ds = "/vsizip/" + abs
	}
	name, err := pickLayer(ctx, ds, path, opt.Layer)
	if err != nil {
		return nil, err
	}
	args, err := ogrArgs(ds, name, ext, opt.Encoding)
	if err != nil {
		return nil, err
	}
	src := &gdalSource{path: path, format: GeoJSON, stderr: &bytes.Buffer{}}
	if gdalExts[ext] == CSV {
		src.format = CSV
	} else if src.crs, err = layerCRS(ctx, ds, name); err != nil {
		return nil, err
	}
	src.what = "layer " + name + " of " + filepath.Base(path)
	if src.crs.name != "" {
		src.what += " (" + src.crs.name + ")"
	}
	cctx, cancel := context.WithCancel(ctx)
	src.cancel = cancel
	src.cmd = exec.CommandContext(cctx, "ogr2ogr", append([]string{"-f", strings.ToUpper(src.format), "/vsistdout/"}, args...)...)
	src.cmd.Stderr = &limitedWriter{buf: src.stderr, max: 4096}
	if src.out, err = src.cmd.StdoutPipe(); err != nil {
		cancel()
		return nil, err
	}
	if err := src.cmd.Start(); err != nil {
		cancel()
		return nil, err
	}
	return src, nil
}

// ogrArgs are ogr2ogr's arguments after the output: the source, its layer
// and, for a shapefile, its text encoding (GDAL otherwise takes it from
// the .cpg file; without one, bytes pass unchanged and GBK text is caught
// as not UTF-8).
func ogrArgs(ds, name, ext, encoding string) ([]string, error) {
	args := []string{ds, name}
	switch ext { // the first row names the columns
	case ".xlsx":
		args = append(args, "--config", "OGR_XLSX_HEADERS", "FORCE")
	case ".ods":
		args = append(args, "--config", "OGR_ODS_HEADERS", "FORCE")
	}
	enc, err := encodingKey(encoding)
	if err != nil {
		return nil, err
	}
	shapefile := ext == ".shp" || ext == ".zip"
	if enc == "" || (enc == "utf8" && !shapefile) {
		return args, nil
	}
	cpg := textEncodings[enc]
	if !shapefile {
		return nil, derrors.Invalid("--encoding: only for shapefiles, CSV and GeoJSON; %s files state their own encoding", ext)
	}
	return append(args, "-oo", "ENCODING="+cpg), nil
}

var layerLine = regexp.MustCompile(`^\d+: (.+?)(?: \([^()]*\))?$`)

// pickLayer lists the dataset's layers (ogrinfo) and returns the one asked
// for, or the only one.
func pickLayer(ctx context.Context, ds, path, want string) (string, error) {
	out, err := runTool(ctx, path, "ogrinfo", "-ro", "-q", ds)
	if err != nil {
		return "", err
	}
	var names []string
	sc := bufio.NewScanner(bytes.NewReader(out))
	for sc.Scan() {
		if m := layerLine.FindStringSubmatch(strings.TrimRight(sc.Text(), "\r")); m != nil {
			names = append(names, m[1])
		}
	}
	switch {
	case len(names) == 0:
		return "", derrors.Invalid("%s has no layers GDAL can read", filepath.Base(path))
	case want != "":
		for _, n := range names {
			if n == want {
				return n, nil
			}
		}
		return "", derrors.Invalid("--layer %q: %s has no such layer; its layers: %s", want, filepath.Base(path), strings.Join(names, ", "))
	case len(names) > 1:
		return "", derrors.Invalid("%s has %d layers (%s): pick one with --layer NAME", filepath.Base(path), len(names), strings.Join(names, ", "))
	}
	return names[0], nil
}

// topLevelEPSG is the last line of ogrinfo's WKT when the whole CRS has
// an EPSG code (inner IDs are indented deeper); wktName its first line.
var (
	topLevelEPSG = regexp.MustCompile(`^    ID\["EPSG",([0-9]+)\]\]$`)
	wktName      = regexp.MustCompile(`^[A-Z]+\["([^"]*)"`)
)

// layerCRS reads a layer's CRS from ogrinfo's summary: its EPSG code when
// GDAL names one (a .prj is matched against the EPSG database), else its
// WKT for PROJ; the zero sourceCRS when the layer has none.
func layerCRS(ctx context.Context, ds, name string) (sourceCRS, error) {
	out, err := runTool(ctx, ds, "ogrinfo", "-ro", "-so", ds, name)
	if err != nil {
		return sourceCRS{}, err
	}
	var wkt []string
	in := false
	for _, line := range strings.Split(string(out), "\n") {
		line = strings.TrimRight(line, "\r")
		switch {
		case strings.HasPrefix(line, "Layer SRS WKT:"):
			in = true
		case in && len(wkt) == 0 && line != "(unknown)":
			wkt = append(wkt, line)
		case in && len(wkt) > 0 && strings.HasPrefix(line, " "):
			wkt = append(wkt, line)
		case in:
			in = false
		}
	}
	if len(wkt) == 0 {
		return sourceCRS{}, nil
	}
	crsName := ""
	if m := wktName.FindStringSubmatch(wkt[0]); m != nil {
		crsName = m[1]
	}
	if m := topLevelEPSG.FindStringSubmatch(wkt[len(wkt)-1]); m != nil {
		n, _ := strconv.Atoi(m[1])
		return sourceCRS{srid: n, name: "EPSG:" + m[1]}, nil
	}
	return sourceCRS{wkt: strings.Join(wkt, "\n"), name: crsName}, nil
}

// runTool runs a GDAL tool and returns its standard output; a failure
// says what GDAL said.
func runTool(ctx context.Context, path, tool string, args ...string) ([]byte, error) {
	var stderr bytes.Buffer
	cmd := exec.CommandContext(ctx, tool, args...)
	cmd.Stderr = &limitedWriter{buf: &stderr, max: 4096}
	out, err := cmd.Output()
	if err != nil {
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		return nil, derrors.Invalid("GDAL cannot read %s: %s", filepath.Base(path), gdalMessage(&stderr, err))
	}
	return out, nil
}

// gdalMessage is the first error line GDAL printed, else the exit status.
func gdalMessage(stderr *bytes.Buffer, err error) string {
	for _, line := range strings.Split(stderr.String(), "\n") {
		if line = strings.TrimSpace(line); line != "" && !strings.HasPrefix(line, "Warning") {
			return strings.TrimPrefix(line, "ERROR 1: ")
		}
	}
	return err.Error()
}

// Read passes ogr2ogr's output on; at its end, a failed ogr2ogr becomes
// the error (so a broken file is reported as GDAL saw it, not as a
// truncated stream).
func (s *gdalSource) Read(p []byte) (int, error) {
	if s.waited {
		return 0, s.end
	}
	n, err := s.out.Read(p)
	if errors.Is(err, io.EOF) {
		s.waited, s.end = true, io.EOF
		if werr := s.cmd.Wait(); werr != nil {
			s.end = derrors.Invalid("GDAL (ogr2ogr) could not convert %s: %s", filepath.Base(s.path), gdalMessage(s.stderr, werr))
		}
		return n, s.end
	}
	return n, err
}

// Close stops ogr2ogr if it still runs.
func (s *gdalSource) Close() error {
	s.cancel()
	if !s.waited {
		s.waited = true
		s.cmd.Wait()
	}
	return nil
}

// limitedWriter keeps the first max bytes written to it.
type limitedWriter struct {
	buf *bytes.Buffer
	max int
}

func (w *limitedWriter) Write(p []byte) (int, error) {
	if room := w.max - w.buf.Len(); room > 0 {
		w.buf.Write(p[:min(room, len(p))])
	}
	return len(p), nil
}
