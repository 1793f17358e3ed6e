package main

import (
	"bytes"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"github.com/coldchain/coldchain/internal/plan"
)

// checkDeliverables runs a capacity plan on the demo county and writes
// what a planner hands on: the plan workbook, the coverage workbook, a
// layer workbook, a CSV with a byte-order mark, and the Chinese PDF report
// (left in testout/report-demo/ with its page images).
func checkDeliverables(t *testing.T, c cli) {
	t.Helper()
	text, code := c.run("plan", "--problem", "capacity", "--type", "ventilated_store", "--tier", "township",
		"--classes", "citrus", "--budget", "3000", "--time-limit", "10")
	id := regexp.MustCompile(`Plan ([0-9a-f-]{36})`).FindStringSubmatch(text)
	if code != 0 || id == nil {
		t.Fatalf("capacity plan: %d %s", code, text)
	}
	out := filepath.Join("..", "..", "testout", "report-demo")
	os.RemoveAll(out)
	if err := os.MkdirAll(out, 0o755); err != nil {
		t.Fatal(err)
	}
	file := func(name string) string { return filepath.Join(out, name) }
	for _, args := range [][]string{
		{"plan", "export", id[1], "-o", file("plan.xlsx")},
		{"coverage", "--class", "citrus", "--format", "xlsx", "-o", file("coverage.xlsx")},
		{"export", "producers", "-o", file("producers.xlsx")},
		{"export", "producers", "--format", "csv", "--bom", "-o", file("producers.csv")},
	} {
		if text, code := c.run(args...); code != 0 {
			t.Fatalf("%v: %d %s", args, code, text)
		}
	}
	wantSheets(t, file("plan.xlsx"), plan.SheetNames["zh"]...)
	wantSheets(t, file("coverage.xlsx"), "totals", "classes", "townships", "months", "gaps")
	wantSheets(t, file("producers.xlsx"), "producers")
	if b, _ := os.ReadFile(file("producers.csv")); !bytes.HasPrefix(b, []byte("\xef\xbb\xbfid,")) {
		t.Errorf("producers.csv does not start with a BOM and the header: %q", b[:min(len(b), 10)])
	}
	if text, code := c.run("plan", "export", id[1], "--format", "docx"); code != 2 || !strings.Contains(text, "want geojson, csv or xlsx") {
		t.Errorf("bad format: %d %s", code, text)
	}
	if text, code := c.run("report", id[1], "--lang", "fr", "-o", file("x.pdf")); code != 2 || !strings.Contains(text, "want zh or en") {
		t.Errorf("bad lang: %d %s", code, text)
	}
	if _, err := exec.LookPath("chromium"); err != nil {
		t.Log("chromium not installed: skipping the PDF report")
		return
	}
	if text, code := c.run("report", id[1], "--lang", "zh", "-o", file("plan-zh.pdf")); code != 0 {
		t.Fatalf("report: %d %s", code, text)
	}
	if text, code := c.run("report", id[1], "--lang", "en", "-o", file("plan-en.html")); code != 0 {
		t.Fatalf("report html: %d %s", code, text)
	}
	pdfPages(t, file("plan-zh.pdf"), "产地冷链设施布局方案")
}

// wantSheets opens a workbook with excelize and checks its sheets.
func wantSheets(t *testing.T, path string, sheets ...string) {
	t.Helper()
	f, err := excelize.OpenFile(path)
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	defer f.Close()
	if got := f.GetSheetList(); !slices.Equal(got, sheets) {
		t.Errorf("%s has sheets %v, want %v", path, got, sheets)
	}
	rows, err := f.GetRows(sheets[0])
	if err != nil || len(rows) < 2 {
		t.Errorf("%s: first sheet has %d rows (%v)", path, len(rows), err)
	}
	st, _ := os.Stat(path)
	t.Logf("%s: %d bytes", path, st.Size())
}

// pdfPages renders the PDF with pdftoppm (poppler-utils), fails on a
// blank page and finds title in its text.
func pdfPages(t *testing.T, pdf, title string) {
	t.Helper()
	if _, err := exec.LookPath("pdftoppm"); err != nil {
		if os.Getenv("CI") != "" {
			t.Fatal("pdftoppm (poppler-utils) is needed in CI")
		}
		t.Log("pdftoppm not installed: skipping the PDF check")
		return
	}
	prefix := strings.TrimSuffix(pdf, ".pdf") + "-page"
	if b, err := exec.Command("pdftoppm", "-r", "60", "-png", pdf, prefix).CombinedOutput(); err != nil {
		t.Fatalf("pdftoppm: %v %s", err, b)
	}
	pages, _ := filepath.Glob(prefix + "-*.png")
	for _, p := range pages {
		f, err := os.Open(p)
		if err != nil {
			t.Fatal(err)
		}
		img, err := png.Decode(f)
		f.Close()
		if err != nil {
			t.Fatal(err)
		}
		ink, b := 0, img.Bounds()
		for y := b.Min.Y; y < b.Max.Y; y++ {
			for x := b.Min.X; x < b.Max.X; x++ {
				if r, g, bl, _ := img.At(x, y).RGBA(); r < 0xe000 || g < 0xe000 || bl < 0xe000 {
					ink++
				}
			}
		}
		if float64(ink) < 0.005*float64(b.Dx()*b.Dy()) {
			t.Errorf("%s is blank", p)
		}
	}
	text, err := exec.Command("pdftotext", "-enc", "UTF-8", pdf, "-").Output()
	if err != nil || len(pages) == 0 || !bytes.Contains(text, []byte(title)) {
		t.Errorf("%s: %d pages, text has %q: %v", pdf, len(pages), title, bytes.Contains(text, []byte(title)))
	}
	st, _ := os.Stat(pdf)
	t.Logf("%s: %d pages, %d bytes", pdf, len(pages), st.Size())
}
