package httpapi_test

import (
	"bytes"
	"context"
	"encoding/json"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/coldchain/coldchain/internal/report"
)

// reportOut is where the report tests leave the PDF, its page images and
// screenshots for a person to look at.
func reportOut(t *testing.T) string {
	t.Helper()
	out := filepath.Join("..", "..", "testout", "report")
	if err := os.MkdirAll(out, 0o755); err != nil {
		t.Fatal(err)
	}
	return out
}

// needChromium returns the Chromium binary; CI fails without one, a
// workstation skips.
func needChromium(t *testing.T) string {
	t.Helper()
	bin, err := report.FindChromium()
	if err != nil {
		if os.Getenv("CI") != "" {
			t.Fatal(err)
		}
		t.Skip(err)
	}
	return bin
}

// TestPlanReportHTML checks the report's contents in both languages and
// its errors.
func TestPlanReportHTML(t *testing.T) {
	base := planServer(t)
	id, res := capacityPlan(t, base)
	for lang, want := range map[string][]string{
		"zh": {"产地冷链设施布局方案", "规划任务", "产地低温处理率", "的增量落在脱贫地区", "选址清单", "求解器已证明", "叶菜", "提交人：anonymous"},
		"en": {"Cold-chain facility plan", "What was asked", "handling rate", "poverty-exit areas", "Why here", "The engine proved"},
	} {
		status, h, body := do(t, "GET", base+"/api/v1/plans/"+id+"/report?lang="+lang, "")
		if status != 200 || !strings.HasPrefix(h.Get("Content-Type"), "text/html") {
			t.Fatalf("%s: %d %s", lang, status, body)
		}
		page := string(body)
		for _, w := range want {
			if !strings.Contains(page, w) {
				t.Errorf("%s report lacks %q", lang, w)
			}
		}
		if n := strings.Count(page, `class="site"`); n != 1 {
			t.Errorf("%s map draws %d sites, the plan has 1", lang, n)
		}
		if n := strings.Count(page, `class="allocation"`); n != len(res.Assigned) {
			t.Errorf("%s map draws %d allocation lines, the plan has %d", lang, n, len(res.Assigned))
		}
		if n := strings.Count(page, `class="bar"`); n != 36 {
			t.Errorf("%s chart has %d bars, want 3 × 12", lang, n)
		}
		if n := strings.Count(page, `class="region"`); n != 3 {
			t.Errorf("%s map draws %d boundaries, want the county and 2 townships", lang, n)
		}
	}
	status, h, body := do(t, "GET", base+"/api/v1/plans/"+id+"/report?lang=de", "")
	wantProblem(t, status, h, body, 400, "want zh or en")
	status, h, body = do(t, "GET", base+"/api/v1/plans/00000000-0000-0000-0000-000000000000/report", "")
	wantProblem(t, status, h, body, 404, "not found")
}

// TestPlanReportBrowserAndPDF opens the Chinese report in headless
// Chromium and finds the map, the site table and the chart; then prints it
// to PDF and checks with pdftoppm and pdftotext (poppler-utils) that every
// page has ink and the text is Chinese.
func TestPlanReportBrowserAndPDF(t *testing.T) {
	if testing.Short() {
		t.Skip("runs a browser")
	}
	bin := needChromium(t)
	base := planServer(t)
	id, _ := capacityPlan(t, base)
	out := reportOut(t)
	url := base + "/api/v1/plans/" + id + "/report?lang=zh"

	opts := append(chromedp.DefaultExecAllocatorOptions[:], chromedp.ExecPath(bin), chromedp.NoSandbox, chromedp.DisableGPU,
		chromedp.UserDataDir(t.TempDir()), chromedp.WindowSize(1100, 900), chromedp.Flag("disable-background-networking", true))
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	defer cancelAlloc()
	ctx, cancel := chromedp.NewContext(actx)
	defer cancel()
	ctx, cancelT := context.WithTimeout(ctx, 90*time.Second)
	defer cancelT()
	if err := chromedp.Do(ctx, chromedp.Navigate(url), chromedp.WaitVisible("#plan-map")); err != nil {
		t.Fatal(err)
	}
	raw, err := chromedp.Run(ctx, chromedp.Evaluate[[]byte](`JSON.stringify({
		sites: document.querySelectorAll("#plan-map .site").length,
		rows: document.querySelectorAll("#sites tbody tr").length,
		bars: document.querySelectorAll("#month-chart rect.bar").length,
		mapWidth: document.querySelector("#plan-map").getBoundingClientRect().width})`))
	if err != nil {
		t.Fatal(err)
	}
	var got struct {
		Sites, Rows, Bars int
		MapWidth          float64
	}
	var s string
	if err := json.Unmarshal(raw, &s); err != nil {
		if err := json.Unmarshal(raw, &got); err != nil {
			t.Fatalf("%v: %s", err, raw)
		}
	} else if err := json.Unmarshal([]byte(s), &got); err != nil {
		t.Fatal(err)
	}
	if got.Sites != 1 || got.Rows != 1 || got.Bars != 36 || got.MapWidth < 500 {
		t.Errorf("browser: %+v; want 1 site on the map, 1 table row, 36 chart bars, a map over 500 px wide", got)
	}
	shot, err := chromedp.Run(ctx, chromedp.FullScreenshot(80))
	if err != nil {
		t.Fatal(err)
	}
	os.WriteFile(filepath.Join(out, "report-zh.jpg"), shot, 0o644)

	_, _, page := do(t, "GET", url, "")
	pdf := filepath.Join(out, "plan-zh.pdf")
	if err := report.PrintPDF(context.Background(), page, pdf); err != nil {
		t.Fatal(err)
	}
	checkPDF(t, pdf, "产地冷链设施布局方案", "选址清单")
}

// checkPDF renders every page with pdftoppm and fails on a blank one, and
// finds the texts want with pdftotext.
func checkPDF(t *testing.T, pdf string, want ...string) {
	t.Helper()
	for _, tool := range []string{"pdftoppm", "pdftotext"} {
		if _, err := exec.LookPath(tool); err != nil {
			if os.Getenv("CI") != "" {
				t.Fatalf("%s is needed: apt-get install poppler-utils (scripts/deps.sh test does)", tool)
			}
			t.Skipf("%s not installed (apt-get install poppler-utils)", tool)
		}
	}
	prefix := strings.TrimSuffix(pdf, ".pdf") + "-page"
	if b, err := exec.Command("pdftoppm", "-r", "60", "-png", pdf, prefix).CombinedOutput(); err != nil {
		t.Fatalf("pdftoppm: %v %s", err, b)
	}
	pages, _ := filepath.Glob(prefix + "-*.png")
	if len(pages) == 0 {
		t.Fatal("pdftoppm rendered no pages")
	}
	for _, p := range pages {
		if ink := inkShare(t, p); ink < 0.005 {
			t.Errorf("%s is blank (%.4f of pixels inked)", p, ink)
		}
	}
	text, err := exec.Command("pdftotext", "-enc", "UTF-8", pdf, "-").Output()
	if err != nil {
		t.Fatal(err)
	}
	for _, w := range want {
		if !bytes.Contains(text, []byte(w)) {
			t.Errorf("the PDF's text lacks %q", w)
		}
	}
	if !regexp.MustCompile(`\p{Han}{20}`).Match(bytes.ReplaceAll(text, []byte(" "), nil)) {
		t.Error("the PDF has no run of Chinese text")
	}
	st, _ := os.Stat(pdf)
	t.Logf("%s: %d pages, %d bytes", pdf, len(pages), st.Size())
}

// inkShare is the share of a PNG's pixels that are not near white.
func inkShare(t *testing.T, path string) float64 {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	img, err := png.Decode(f)
	if err != nil {
		t.Fatal(err)
	}
	b := img.Bounds()
	n := 0
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			r, g, bl, _ := img.At(x, y).RGBA()
			if r < 0xe000 || g < 0xe000 || bl < 0xe000 {
				n++
			}
		}
	}
	return float64(n) / float64(b.Dx()*b.Dy())
}
