package ingest

import (
	"bytes"
	"context"
	"io"

	"github.com/coldchain/coldchain/internal/datum"
	"github.com/coldchain/coldchain/internal/layer"
	"github.com/coldchain/coldchain/internal/xlsx"
)

// XLSX is the Excel export format (export only).
const XLSX = "xlsx"

// exportXLSX writes the layer's CSV export as a one-sheet workbook named
// after the layer, numbers as numbers, coordinates in datum d.
func exportXLSX(ctx context.Context, st *layer.Store, l *layer.Layer, w io.Writer, d datum.Datum) (int64, error) {
	var buf bytes.Buffer
	if _, err := ExportIn(ctx, st, l, &buf, CSV, d); err != nil {
		return 0, err
	}
	sheet, err := xlsx.FromCSV(l.Name, &buf)
	if err != nil {
		return 0, err
	}
	return int64(len(sheet.Rows)), xlsx.Write(w, []xlsx.Sheet{sheet})
}
