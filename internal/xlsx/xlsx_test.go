package xlsx_test

import (
	"bytes"
	"fmt"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"github.com/coldchain/coldchain/internal/xlsx"
)

// TestWriteReadsBack writes two sheets from CSV and reads them with
// excelize: names, headers, numbers as numbers, codes with leading zeros
// and Chinese text as text.
func TestWriteReadsBack(t *testing.T) {
	sheet, err := xlsx.FromCSV("生产者", strings.NewReader("id,region_code,annual_output_t,name\np1,0369,12.5,合作社\np2,3699,,家庭农场\n"))
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := xlsx.Write(&buf, []xlsx.Sheet{sheet, {Name: "empty", Header: []string{"a"}}}); err != nil {
		t.Fatal(err)
	}
	f, err := excelize.OpenReader(&buf)
	if err != nil {
		t.Fatal(err)
	}
	if got := f.GetSheetList(); len(got) != 2 || got[0] != "生产者" || got[1] != "empty" {
		t.Fatalf("sheets %v", got)
	}
	rows, _ := f.GetRows("生产者")
	if len(rows) != 3 || rows[0][3] != "name" || rows[1][1] != "0369" || rows[1][3] != "合作社" || rows[2][2] != "" {
		t.Errorf("rows %q", rows)
	}
	if typ, _ := f.GetCellType("生产者", "C2"); typ != excelize.CellTypeNumber && typ != excelize.CellTypeUnset {
		t.Errorf("12.5 stored as %v, want a number", typ)
	}
	if err := xlsx.Write(&buf, []xlsx.Sheet{{Name: "bad/name"}}); err == nil {
		t.Error("a sheet name with / was accepted")
	}
}

func ExampleCell() {
	for _, v := range []string{"12.5", "0369", "369901101", "合作社", ""} {
		fmt.Printf("%T ", xlsx.Cell(v))
	}
	// Output: float64 string float64 string <nil>
}
