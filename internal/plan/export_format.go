package plan

import (
	"io"

	"github.com/coldchain/coldchain/internal/derrors"
	"github.com/coldchain/coldchain/internal/xlsx"
)

// ExportFormat is one way to export a finished plan.
type ExportFormat struct {
	Name        string // also the file extension
	ContentType string
	write       func(w io.Writer, p *Plan, o ExportOptions) error
}

// ExportOptions tune an export: the workbook's language and a UTF-8
// byte-order mark before CSV (for Chinese Excel).
type ExportOptions struct {
	Lang string
	BOM  bool
}

// ExportFormats lists the plan export formats; HTTP and CLI read it.
var ExportFormats = []ExportFormat{
	{Name: "geojson", ContentType: "application/geo+json", write: func(w io.Writer, p *Plan, _ ExportOptions) error { return WriteGeoJSON(w, p) }},
	{Name: "csv", ContentType: "text/csv; charset=utf-8", write: func(w io.Writer, p *Plan, o ExportOptions) error {
		if o.BOM {
			if _, err := io.WriteString(w, xlsx.BOM); err != nil {
				return err
			}
		}
		return WriteCSV(w, p)
	}},
	{Name: "xlsx", ContentType: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
		write: func(w io.Writer, p *Plan, o ExportOptions) error { return WriteXLSX(w, p, o.Lang) }},
}

// FindExportFormat returns the export format name, or ErrInvalid.
func FindExportFormat(name string) (*ExportFormat, error) {
	for i := range ExportFormats {
		if ExportFormats[i].Name == name {
			return &ExportFormats[i], nil
		}
	}
	return nil, derrors.Invalid("format: want geojson, csv or xlsx, got %q", name)
}

// Write writes finished plan p in this format. It returns ErrInvalid for
// an unknown language, ErrConflict for a plan not done.
func (f *ExportFormat) Write(w io.Writer, p *Plan, o ExportOptions) error {
	lang, err := ParseLang(o.Lang)
	if err != nil {
		return err
	}
	o.Lang = lang
	return f.write(w, p, o)
}
