package main

import (
	"context"
	"encoding/json"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/xuri/excelize/v2"

	"github.com/coldchain/coldchain/internal/postgres/pgtest"
)

// runOn runs the coldchain binary bin on the database at url and returns
// its combined output and exit code.
func runOn(t *testing.T, bin, url string, args ...string) (string, int) {
	t.Helper()
	cmd := exec.Command(bin, args...)
	cmd.Env = append(os.Environ(), "DATABASE_URL="+url)
	out, err := cmd.CombinedOutput()
	var ee *exec.ExitError
	switch {
	case err == nil:
		return string(out), 0
	case errorsAs(err, &ee):
		return string(out), ee.ExitCode()
	}
	t.Fatal(err)
	return "", 0
}

// storedPlan is what the CLI split test reads of a stored plan.
type storedPlan struct {
	parts, done int
	result      struct {
		NoBound   bool    `json:"no_bound"`
		Objective float64 `json:"objective"`
		Parts     []struct {
			Region, Name, Status string
			Sites                int
		} `json:"parts"`
		After struct {
			HandledT float64 `json:"handled_t"`
		} `json:"after"`
		Before struct {
			HandledT float64 `json:"handled_t"`
		} `json:"before"`
		Sites struct {
			Features []struct {
				Properties struct {
					Rank, Part int
				}
			}
		} `json:"sites"`
	}
}

// readPlan reads plan id, its part rows and its result from the database.
func readPlan(t *testing.T, conn *pgx.Conn, id string) storedPlan {
	t.Helper()
	var sp storedPlan
	var res []byte
	err := conn.QueryRow(context.Background(), `SELECT (SELECT count(*) FROM plan_part WHERE plan_id = p.id),
		       (SELECT count(*) FROM plan_part WHERE plan_id = p.id AND status = 'done'), p.result
		  FROM plan p WHERE p.id = $1 AND p.status = 'done'`, id).Scan(&sp.parts, &sp.done, &res)
	if err != nil {
		t.Fatalf("plan %s: %v", id, err)
	}
	if err := json.Unmarshal(res, &sp.result); err != nil {
		t.Fatal(err)
	}
	return sp
}

// TestPlanCLISplitsProvince runs coldchain plan over a province of four
// counties: the command decomposes it by county as the server does, prints
// each part with its proven gap and the combined result without a bound
// (its objective the measure on the whole province), and stores one plan
// with four parts. --no-split solves the province as
// one instance with a proven bound; bad --parallel values exit 2.
func TestPlanCLISplitsProvince(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the binary")
	}
	bin := binary(t)
	url := pgtest.URL(t)
	seedProvince(t, url)
	conn, err := pgx.Connect(context.Background(), url)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(context.Background())
	args := []string{"plan", "--problem", "capacity", "--type", "cold_room", "--tier", "township", "--classes", "leafy_vegetable",
		"--budget", "4000", "--candidates", "generated", "--candidate-hex-km", "1", "--region", "39", "--time-limit", "3"}

	text, code := runOn(t, bin, url, append(args, "--parallel", "2")...)
	id := regexp.MustCompile(`Plan ([0-9a-f-]{36})`).FindStringSubmatch(text)
	if code != 0 || id == nil {
		t.Fatalf("province plan: exit %d\n%s", code, text)
	}
	rows := regexp.MustCompile(`(?m)^([1-4])\s+(39010[1-4])\s+County 39010[1-4]\s+done\s+\d+\s+1000\s+\d+\s+[0-9.]+\s+[0-9.]+\s+[0-9.]+ %`).FindAllStringSubmatch(text, -1)
	if len(rows) != 4 || !strings.Contains(text, "(sum of 4 county parts); no combined bound") || !strings.Contains(text, "note: border:") {
		t.Fatalf("want the four county parts (each with its budget share, proven bound and gap), the combined objective without a bound and the border note; got %d part rows in\n%s", len(rows), text)
	}
	sp := readPlan(t, conn, id[1])
	if sp.parts != 4 || sp.done != 4 || len(sp.result.Parts) != 4 || !sp.result.NoBound {
		t.Fatalf("stored plan: %d part rows (%d done), %d parts in the result, no_bound %v; want one plan with 4 done parts and no bound",
			sp.parts, sp.done, len(sp.result.Parts), sp.result.NoBound)
	}
	if math.Abs(sp.result.Objective-sp.result.After.HandledT) > 1e-6*sp.result.After.HandledT {
		t.Errorf("objective %.3f t handled, the measure after the plan %.3f t: a capacity plan's objective is the measure", sp.result.Objective, sp.result.After.HandledT)
	}
	if sp.result.Parts[0].Name != "County 390101" || !(sp.result.After.HandledT > sp.result.Before.HandledT) {
		t.Errorf("first part %+v; handled %v -> %v: want the county's name and more handled after", sp.result.Parts[0], sp.result.Before.HandledT, sp.result.After.HandledT)
	}
	sites := 0
	for k, f := range sp.result.Sites.Features {
		if f.Properties.Rank != k+1 || f.Properties.Part < 1 || f.Properties.Part > 4 {
			t.Errorf("site %d: rank %d, part %d; want ranks 1..n over the plan, each site naming its part", k, f.Properties.Rank, f.Properties.Part)
		}
	}
	for _, p := range sp.result.Parts {
		sites += p.Sites
	}
	if sites == 0 || sites != len(sp.result.Sites.Features) {
		t.Errorf("the parts count %d sites, the plan lists %d; want some, and the same", sites, len(sp.result.Sites.Features))
	}
	var plans int
	if err := conn.QueryRow(context.Background(), `SELECT count(*) FROM plan`).Scan(&plans); err != nil || plans != 1 {
		t.Fatalf("%d plans stored (%v), want the one province plan", plans, err)
	}

	checkCombinedDeliverables(t, bin, url, id[1])

	text, code = runOn(t, bin, url, append(args, "--no-split")...)
	id = regexp.MustCompile(`Plan ([0-9a-f-]{36})`).FindStringSubmatch(text)
	if code != 0 || id == nil || !strings.Contains(text, "proven bound") || strings.Contains(text, "county parts") {
		t.Fatalf("--no-split: exit %d, want one instance with a proven bound\n%s", code, text)
	}
	if sp := readPlan(t, conn, id[1]); sp.parts != 0 || sp.result.NoBound {
		t.Errorf("--no-split stored %d parts, no_bound %v; want none and a bound", sp.parts, sp.result.NoBound)
	}

	for _, bad := range []struct{ args, want string }{
		{"--parallel 0", "--parallel: give 1 to 64 county parts at once, got 0"},
		{"--no-split --region= --regions 390101,390102", "--regions: a list of regions is planned by county parts"},
	} {
		text, code := runOn(t, bin, url, append(args, strings.Fields(bad.args)...)...)
		if code != 2 || !strings.Contains(text, bad.want) {
			t.Errorf("%s: exit %d, want 2 saying %q\n%s", bad.args, code, bad.want, text)
		}
	}
}

// checkCombinedDeliverables checks that the report and the workbook of
// province plan id say it has no combined bound rather than a gap of 0.
func checkCombinedDeliverables(t *testing.T, bin, url, id string) {
	t.Helper()
	dir := t.TempDir()
	html, book := filepath.Join(dir, "plan.html"), filepath.Join(dir, "plan.xlsx")
	for _, args := range [][]string{{"report", id, "--lang", "en", "-o", html}, {"plan", "export", id, "--lang", "en", "-o", book}} {
		if text, code := runOn(t, bin, url, args...); code != 0 {
			t.Fatalf("%v: exit %d\n%s", args, code, text)
		}
	}
	page, err := os.ReadFile(html)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(page), "The plan combines 4 county parts") || strings.Contains(string(page), "no plan can be more than") {
		t.Errorf("the report does not say the combined plan has no bound")
	}
	rows := regexp.MustCompile(`<tr><td>County 39010[1-4] 39010[1-4]</td><td>done</td><td class="n">[0-9,.]+</td><td class="n">[0-9.]+ %</td><td class="n">\d+</td></tr>`)
	if n := len(rows.FindAllString(string(page), -1)); n != 4 {
		t.Errorf("the report lists %d county parts with their figures, want 4", n)
	}
	wb, err := excelize.OpenFile(book)
	if err != nil {
		t.Fatal(err)
	}
	defer wb.Close()
	sheet, err := wb.GetRows(wb.GetSheetName(0))
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, r := range sheet {
		if len(r) >= 4 && r[0] == "Proven gap (%)" {
			found = strings.HasPrefix(r[3], "none for the combined plan")
		}
	}
	if !found {
		t.Errorf("the workbook's proven gap does not say the combined plan has none: %q", sheet)
	}
}
