package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"runtime/debug"
	"strings"

	"github.com/schollz/progressbar/v3"
	"github.com/spf13/cobra"
	"golang.org/x/term"

	"github.com/coldchain/coldchain/internal/datum"
	"github.com/coldchain/coldchain/internal/derrors"
	"github.com/coldchain/coldchain/internal/ingest"
	"github.com/coldchain/coldchain/internal/layer"
	"github.com/coldchain/coldchain/internal/xlsx"
)

// streamingGC tunes the collector for a streamed import, which allocates
// short-lived rows and little else: collecting less often saves about a
// third of its CPU for some 20 MB more memory.
func streamingGC() { debug.SetGCPercent(400) }

func layerHelp() string { return strings.Join(layer.Names(), ", ") }

// importLong is import's --help text.
func importLong() string {
	return `Import a GeoJSON FeatureCollection (RFC 7946) or a CSV file into a layer:
` + layerHelp() + `.

CSV files need a header; the geometry is in lon and lat columns (or
longitude/latitude, x/y, 经度/纬度) or in a wkt column; lists are JSON arrays
or values separated by ';'. Common Chinese headers (代码/编码/区划代码, 名称,
级别/层级, 上级代码/父级代码, 产品/品类, 年产量, 主体类型) and values (乡, 镇,
街道, 合作社, 叶菜 ...) and DataV/Amap boundary files (adcode, level, parent)
are recognised; the columns used and ignored are listed. A region given as
a point gets an area derived from it (see the areas layer). The import runs in one transaction: if any row is bad,
each problem is printed as "row N: field: reason" (the first 100), the exit
code is 1 and nothing is written. Use "-" as FILE to read standard input.

Files GDAL reads (Shapefile with .prj and .cpg, a zipped shapefile,
GeoPackage, KML/KMZ, GML, MapInfo, FlatGeobuf, and XLSX/ODS with
coordinate columns) are converted by GDAL's ogr2ogr (Debian package
gdal-bin) and then checked the same way. Coordinates in another CRS (the
file's own, from its .prj, GeoPackage or GeoJSON crs member, or --srs)
are transformed to WGS84 by PostGIS: CGCS2000 (EPSG:4490) and its
Gauss-Krüger zones (EPSG:4491–4554) included.`
}

func newImportCmd(cfg *config) *cobra.Command {
	var format, datumName, encoding, srs, gdalLayer string
	var makeValid, upsert bool
	cmd := &cobra.Command{
		Use:   "import LAYER FILE",
		Short: "Import a GeoJSON, CSV, Shapefile, GeoPackage … file into a layer (all or nothing)",
		Long:  importLong(),
		Example: `  coldchain import producers farms.geojson
  coldchain import facilities cold_rooms.csv --datum gcj02 --encoding gbk
  coldchain import exclusions redline.geojson --make-valid
  coldchain import exclusions 基本农田.shp --encoding gbk
  coldchain import exclusions landuse.gpkg --layer redline
  coldchain import producers farms.xlsx --srs EPSG:4547`,
		Args: cobra.ExactArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			if args[0] == "roads" {
				return importRoads(cmd, cfg, args[1])
			}
			l, err := layer.ByName(args[0])
			if err != nil {
				return usageErr("%v", err)
			}
			d, err := datum.Parse(datumName)
			if err != nil {
				return usageErr("--datum: %v", err)
			}
			if !cmd.Flags().Changed("datum") {
				d = "" // WGS84, but not said: DataV/Amap files get a warning
			}
			if !cmd.Flags().Changed("encoding") {
				encoding = "" // a shapefile's .cpg says
			}
			mode := layer.Insert
			if upsert {
				mode = layer.Upsert
			}
			opt := ingest.Options{
				Format: format, Datum: d, Encoding: encoding, MakeValid: makeValid, Mode: mode, SRS: srs, Layer: gdalLayer,
			}
			if err := opt.Check(); err != nil {
				return usageErr("%v", err)
			}
			streamingGC()
			res, err := importPath(cmd, cfg, l, args[1], opt)
			if err != nil {
				return importErr(err)
			}
			fmt.Fprintf(cmd.OutOrStdout(), "imported %d %s\n", res.Rows, l.Name)
			for _, n := range res.Notes {
				fmt.Fprintf(cmd.ErrOrStderr(), "note: %s\n", n)
			}
			for _, w := range res.Warnings {
				fmt.Fprintf(cmd.ErrOrStderr(), "warning: %s\n", w)
			}
			return nil
		},
	}
	f := cmd.Flags()
	f.StringVar(&format, "format", "", "geojson, csv or gdal (default: from the file name, else sniffed)")
	f.StringVar(&srs, "srs", "", "CRS of the coordinates, e.g. EPSG:4490 (CGCS2000) or EPSG:4547 (its Gauss-Krüger CM 114E); transformed to WGS84 in PostGIS (default: the file's own, else WGS84)")
	f.StringVar(&gdalLayer, "layer", "", "the layer of a multi-layer file (GeoPackage, KML)")
	f.StringVar(&datumName, "datum", "wgs84", "datum of the coordinates: wgs84, gcj02 (Amap, Tencent, DataV) or bd09 (Baidu); converted to WGS84")
	f.StringVar(&encoding, "encoding", "utf-8", "text encoding: utf-8, gbk or gb18030 (shapefiles: default from the .cpg file)")
	f.BoolVar(&makeValid, "make-valid", false, "repair invalid polygons with ST_MakeValid instead of refusing them")
	f.BoolVar(&upsert, "upsert", false, "replace features whose id already exists instead of refusing them")
	bindRoadImportFlags(cmd)
	return cmd
}

// importPath imports the file at path ("-": standard input) with a
// progress bar on a terminal; files GDAL reads go through ogr2ogr.
func importPath(cmd *cobra.Command, cfg *config, l *layer.Layer, path string, opt ingest.Options) (layer.LoadResult, error) {
	if opt.Format == "" {
		opt.Format = ingest.DetectFormat(path)
	}
	var in io.Reader = os.Stdin
	var size int64 = -1
	if opt.Layer != "" && opt.Format != ingest.GDAL {
		return layer.LoadResult{}, usageErr("--layer: only for files GDAL reads (Shapefile, GeoPackage, KML, spreadsheets)")
	}
	if opt.Format == ingest.GDAL && path == "-" {
		return layer.LoadResult{}, usageErr("FILE: files GDAL reads (Shapefile, GeoPackage, KML, spreadsheets) need a file name, not standard input")
	}
	if path != "-" && opt.Format != ingest.GDAL {
		f, err := os.Open(path)
		if err != nil {
			return layer.LoadResult{}, &exitError{code: 1, err: err}
		}
		defer f.Close()
		if fi, err := f.Stat(); err == nil {
			size = fi.Size()
		}
		in = f
	}
	if opt.Format != ingest.GDAL && term.IsTerminal(int(os.Stderr.Fd())) {
		bar := progressbar.DefaultBytes(size, "importing "+l.Name)
		in = io.TeeReader(in, bar)
		defer bar.Finish()
	}
	pool, err := cfg.open(cmd.Context())
	if err != nil {
		return layer.LoadResult{}, err
	}
	defer pool.Close()
	st := &layer.Store{Pool: pool}
	if opt.Format == ingest.GDAL {
		return ingest.ImportFile(cmd.Context(), st, l, path, opt)
	}
	return ingest.Import(cmd.Context(), st, l, in, opt)
}

// importErr prints row errors as they are: one per line, then a summary.
func importErr(err error) error {
	var rows derrors.RowErrors
	if errors.As(err, &rows) {
		more := ""
		if len(rows) >= derrors.MaxRowErrors {
			more = fmt.Sprintf(" (showing the first %d)", derrors.MaxRowErrors)
		}
		return &exitError{code: 1, err: fmt.Errorf("nothing imported: %d problem(s)%s:\n%s", len(rows), more, rows.Error())}
	}
	if errors.Is(err, derrors.ErrInvalid) {
		return &exitError{code: 1, err: fmt.Errorf("nothing imported: %w", err)}
	}
	return err
}

func newExportCmd(cfg *config) *cobra.Command {
	var format, out, datumName string
	var bom bool
	cmd := &cobra.Command{
		Use:   "export LAYER",
		Short: "Export a layer as GeoJSON, CSV or Excel, streamed from PostGIS",
		Long:  "Export every feature of a layer (" + layerHelp() + ") as a GeoJSON FeatureCollection, as CSV (points as lon/lat, other shapes as WKT; lists as JSON) that imports again unchanged, or as an Excel workbook of the same columns.",
		Example: `  coldchain export producers -o producers.geojson
  coldchain export facilities --format csv --bom > facilities.csv
  coldchain export producers -o producers.xlsx
  coldchain export areas --datum gcj02 -o areas-amap.geojson`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			l, err := layer.ByName(args[0])
			if err != nil {
				return usageErr("%v", err)
			}
			if format == "" && strings.HasSuffix(strings.ToLower(out), ".xlsx") {
				format = ingest.XLSX
			}
			if format == "" {
				format = ingest.DetectFormat(out)
			}
			if format != "" && format != ingest.GeoJSON && format != ingest.CSV && format != ingest.XLSX {
				return usageErr("--format: want geojson, csv or xlsx, got %q", format)
			}
			if bom && format != ingest.CSV {
				return usageErr("--bom: only for --format csv")
			}
			d, err := datum.Parse(datumName)
			if err != nil {
				return usageErr("--datum: %v", err)
			}
			pool, err := cfg.open(cmd.Context())
			if err != nil {
				return err
			}
			defer pool.Close()
			w := cmd.OutOrStdout()
			var file *os.File
			if out != "" && out != "-" {
				file, err = os.Create(out)
				if err != nil {
					return err
				}
				w = file
			}
			var dst io.Writer = w
			if bom {
				if _, err := io.WriteString(w, xlsx.BOM); err != nil {
					return err
				}
			}
			if file != nil && term.IsTerminal(int(os.Stderr.Fd())) {
				bar := progressbar.DefaultBytes(-1, "exporting "+l.Name)
				dst = io.MultiWriter(w, bar)
				defer bar.Finish()
			}
			n, err := ingest.ExportIn(cmd.Context(), &layer.Store{Pool: pool}, l, dst, format, d)
			if file != nil {
				if cerr := file.Close(); err == nil {
					err = cerr
				}
				if err == nil {
					fmt.Fprintf(os.Stderr, "exported %d %s to %s\n", n, l.Name, out)
				}
			}
			return err
		},
	}
	cmd.Flags().StringVar(&format, "format", "", "geojson (default), csv or xlsx (default: from the file name)")
	cmd.Flags().BoolVar(&bom, "bom", false, "csv: start with a UTF-8 byte-order mark, so that Chinese Excel reads it as UTF-8")
	cmd.Flags().StringVarP(&out, "output", "o", "", "write to FILE instead of standard output")
	cmd.Flags().StringVar(&datumName, "datum", "wgs84", "datum of the written coordinates: wgs84, gcj02 (Amap, Tencent, DataV) or bd09 (Baidu), for Chinese web maps")
	return cmd
}
