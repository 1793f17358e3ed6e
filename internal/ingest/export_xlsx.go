package ingest

import (
	"bytes"
	"context"
	"io"

	"github.com/coldchain/coldchain/internal/layer"
	"github.com/coldchain/coldchain/internal/xlsx"
)

// XLSX is the Excel export format (export only).
const XLSX = "xlsx"

// exportXLSX writes the layer's CSV export as a one-sheet workbook named
// after the layer, numbers as numbers.
func exportXLSX(ctx context.Context, st *layer.Store, l *layer.Layer, w io.Writer) (int64, error) {
	var buf bytes.Buffer
	if _, err := exportCSV(ctx, st, l, &buf); err != nil {
		return 0, err
	}
	sheet, err := xlsx.FromCSV(l.Name, &buf)
	if err != nil {
		return 0, err
	}
	return int64(len(sheet.Rows)), xlsx.Write(w, []xlsx.Sheet{sheet})
}
