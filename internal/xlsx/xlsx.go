// Package xlsx writes spreadsheets for planners: workbooks of plain sheets
// (a header row, then rows of numbers and text) through excelize, and the
// UTF-8 byte-order mark that makes Chinese Excel read CSV files as UTF-8.
package xlsx

import (
	"encoding/csv"
	"fmt"
	"io"
	"strconv"

	"github.com/xuri/excelize/v2"
)

// BOM is the UTF-8 byte-order mark; written before a CSV file it tells
// Excel (notably its Chinese editions, which otherwise assume GBK) that the
// file is UTF-8.
const BOM = "\ufeff"

// MaxRows bounds a sheet (Excel's own limit less the header).
const MaxRows = 1048575

// Sheet is one worksheet: a name (at most 31 characters), a header row and
// rows of cells (numbers, strings, booleans or nil for empty).
type Sheet struct {
	Name   string
	Header []string
	Rows   [][]any
}

// Write writes sheets as one workbook to w, in order, with a bold frozen
// header row and columns sized to their header. It returns an error for a
// sheet with more than MaxRows rows or an invalid name.
func Write(w io.Writer, sheets []Sheet) error {
	if len(sheets) == 0 {
		return fmt.Errorf("xlsx: no sheets")
	}
	f := excelize.NewFile()
	defer f.Close()
	bold, err := f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true}})
	if err != nil {
		return err
	}
	for i, s := range sheets {
		if len(s.Rows) > MaxRows {
			return fmt.Errorf("xlsx: sheet %s has %d rows, more than Excel's %d", s.Name, len(s.Rows), MaxRows)
		}
		if i == 0 {
			err = f.SetSheetName("Sheet1", s.Name)
		} else {
			_, err = f.NewSheet(s.Name)
		}
		if err != nil {
			return fmt.Errorf("xlsx: sheet %q: %w", s.Name, err)
		}
		if err := writeSheet(f, s, bold); err != nil {
			return err
		}
	}
	return f.Write(w)
}

// writeSheet fills one sheet through a stream writer.
func writeSheet(f *excelize.File, s Sheet, bold int) error {
	sw, err := f.NewStreamWriter(s.Name)
	if err != nil {
		return err
	}
	for c, h := range s.Header {
		width := float64(len([]rune(h)))*1.6 + 2
		if err := sw.SetColWidth(c+1, c+1, min(max(width, 9), 60)); err != nil {
			return err
		}
	}
	if err := sw.SetPanes(&excelize.Panes{Freeze: true, YSplit: 1, TopLeftCell: "A2", ActivePane: "bottomLeft"}); err != nil {
		return err
	}
	head := make([]any, len(s.Header))
	for c, h := range s.Header {
		head[c] = excelize.Cell{StyleID: bold, Value: h}
	}
	if err := sw.SetRow("A1", head); err != nil {
		return err
	}
	for r, row := range s.Rows {
		cell, _ := excelize.CoordinatesToCellName(1, r+2)
		if err := sw.SetRow(cell, row); err != nil {
			return err
		}
	}
	return sw.Flush()
}

// FromCSV reads a CSV file (header first) into a sheet; cells that parse as
// numbers become numbers. It reads at most MaxRows rows.
func FromCSV(name string, r io.Reader) (Sheet, error) {
	cr := csv.NewReader(r)
	cr.FieldsPerRecord = -1
	s := Sheet{Name: name}
	header, err := cr.Read()
	if err == io.EOF {
		return s, nil
	}
	if err != nil {
		return s, err
	}
	s.Header = header
	for {
		rec, err := cr.Read()
		if err == io.EOF {
			return s, nil
		}
		if err != nil {
			return s, err
		}
		if len(s.Rows) == MaxRows {
			return s, fmt.Errorf("xlsx: more than %d rows for sheet %s", MaxRows, name)
		}
		row := make([]any, len(rec))
		for i, v := range rec {
			row[i] = Cell(v)
		}
		s.Rows = append(s.Rows, row)
	}
}

// Cell turns a text cell into a number when it is one (and does not look
// like a code with leading zeros, such as an administrative code), else
// keeps the text; empty text is an empty cell.
func Cell(v string) any {
	if v == "" {
		return nil
	}
	if len(v) > 1 && v[0] == '0' && v[1] != '.' {
		return v
	}
	if len(v) > 15 {
		return v // long digit strings are identifiers, not numbers
	}
	if x, err := strconv.ParseFloat(v, 64); err == nil {
		return x
	}
	return v
}
