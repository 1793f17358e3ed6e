package main

import (
	"errors"
	"fmt"
	"os"
	"strings"

	"github.com/spf13/cobra"
	"golang.org/x/term"

	"github.com/coldchain/coldchain/internal/coverage"
	"github.com/coldchain/coldchain/internal/plan"
	"github.com/coldchain/coldchain/internal/report"
	"github.com/coldchain/coldchain/internal/xlsx"
)

// newPlanExportCmd is `coldchain plan export ID`.
func newPlanExportCmd(cfg *config) *cobra.Command {
	var format, out, lang string
	var bom bool
	cmd := &cobra.Command{
		Use:   "export PLAN_ID",
		Short: "Export a finished plan as GeoJSON, CSV or an Excel workbook",
		Long: `Export a finished plan: its sites as GeoJSON or CSV (the project list), or an
Excel workbook with sheets for key figures, sites, allocations, handling by
class, by month and by township, with Chinese or English headers.`,
		Example: `  coldchain plan export 3f70953e-56bb-4bc7-9a99-d9bc8823b03a -o plan.xlsx
  coldchain plan export 3f70953e-56bb-4bc7-9a99-d9bc8823b03a --format csv --bom -o plan.csv`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if format == "" {
				format = "geojson"
				for _, f := range plan.ExportFormats {
					if strings.HasSuffix(strings.ToLower(out), "."+f.Name) {
						format = f.Name
					}
				}
			}
			f, err := plan.FindExportFormat(format)
			if err != nil {
				return usageErr("--%v", err)
			}
			if _, err := plan.ParseLang(lang); err != nil {
				return usageErr("--%v", err)
			}
			if bom && f.Name != "csv" {
				return usageErr("--bom: only for --format csv")
			}
			pool, err := cfg.open(cmd.Context())
			if err != nil {
				return err
			}
			defer pool.Close()
			p, err := (&plan.Service{Pool: pool}).Get(cmd.Context(), args[0])
			if err != nil {
				return err
			}
			w, closeOut, err := output(cmd, out)
			if err != nil {
				return err
			}
			defer closeOut()
			if err := f.Write(w, p, plan.ExportOptions{Lang: lang, BOM: bom}); err != nil {
				return err
			}
			if out != "" && out != "-" {
				fmt.Fprintln(cmd.ErrOrStderr(), "wrote", out)
			}
			return nil
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&format, "format", "", "geojson, csv or xlsx (default: from the file name, else geojson)")
	fl.StringVar(&lang, "lang", "zh", "workbook headers and texts: zh or en")
	fl.BoolVar(&bom, "bom", false, "csv: start with a UTF-8 byte-order mark, so that Chinese Excel reads it as UTF-8")
	fl.StringVarP(&out, "output", "o", "", "write to FILE instead of standard output")
	return cmd
}

// checkCoverageFormat checks coverage's --format; a workbook needs a file.
func checkCoverageFormat(format, out string) error {
	if format != "table" && format != "json" && format != "geojson" && format != "xlsx" {
		return usageErr("--format: want table, json, geojson or xlsx, got %q", format)
	}
	if format == "xlsx" && (out == "" || out == "-") && term.IsTerminal(int(os.Stdout.Fd())) {
		return usageErr("--format xlsx: give -o FILE.xlsx (a workbook is not for the terminal)")
	}
	return nil
}

// coverageSheets is a coverage report as workbook sheets: totals, classes,
// townships, months and the gap table.
func coverageSheets(rep *coverage.Report) []xlsx.Sheet {
	sumHeader := []string{"producers", "output_t", "covered_t", "coverage_rate", "handled_t", "handling_rate",
		"peak_month", "peak_stock_t", "peak_handled_stock_t", "peak_capacity_gap_t", "median_access_minutes", "no_access_producers"}
	sum := func(s coverage.Summary) []any {
		return []any{s.Producers, s.OutputT, s.CoveredT, s.CoverageRate, s.HandledT, s.HandlingRate,
			s.PeakMonth, s.PeakStockT, s.PeakHandledStockT, s.PeakCapacityGapT, s.MedianAccessMinutes, s.NoAccessProducers}
	}
	totals := xlsx.Sheet{Name: "totals", Header: append([]string{"region", "name"}, sumHeader...),
		Rows: [][]any{append([]any{rep.Region, rep.RegionName}, sum(rep.Totals)...)}}
	classes := xlsx.Sheet{Name: "classes", Header: append([]string{"class", "zone", "threshold_minutes"}, sumHeader...)}
	for _, c := range rep.Classes {
		classes.Rows = append(classes.Rows, append([]any{c.Class, c.Zone, c.ThresholdMinutes}, sum(c.Summary)...))
	}
	towns := xlsx.Sheet{Name: "townships", Header: append([]string{"region", "name"}, sumHeader...)}
	for _, r := range rep.Regions {
		towns.Rows = append(towns.Rows, append([]any{r.Region, r.Name}, sum(r.Summary)...))
	}
	months := xlsx.Sheet{Name: "months", Header: []string{"month", "output_t", "uncovered_t", "stock_t", "handled_stock_t", "shortfall_t"}}
	for _, m := range rep.Months {
		months.Rows = append(months.Rows, []any{m.Month, m.OutputT, m.UncoveredT, m.StockT, m.HandledStockT, m.ShortfallT})
	}
	gaps := xlsx.Sheet{Name: "gaps", Header: []string{"region", "region_name", "class", "zone", "month", "output_t", "uncovered_t", "stock_t", "handled_stock_t", "shortfall_t"}}
	for _, g := range rep.Gaps {
		gaps.Rows = append(gaps.Rows, []any{g.Region, g.RegionName, g.Class, g.Zone, g.Month, g.OutputT, g.UncoveredT, g.StockT, g.HandledStockT, g.ShortfallT})
	}
	return []xlsx.Sheet{totals, classes, towns, months, gaps}
}

// newReportCmd is `coldchain report PLAN_ID`.
func newReportCmd(cfg *config) *cobra.Command {
	var out, lang string
	var travel travelFlags
	cmd := &cobra.Command{
		Use:   "report PLAN_ID",
		Short: "Write a finished plan's report (PDF through headless Chromium, or HTML)",
		Long: `Write a finished plan's report for the county government, in Chinese or
English: the request in plain words, a map of the county with the new sites,
the producers they serve and the coverage gaps, key figures before and
after, the poverty-exit share of the gain, handling by class, the monthly
stock chart, the site table and the proven gap. A .pdf output is printed by
headless Chromium (Debian package chromium); a .html output is the page.`,
		Example: `  coldchain report 3f70953e-56bb-4bc7-9a99-d9bc8823b03a --lang zh -o plan.pdf
  coldchain report 3f70953e-56bb-4bc7-9a99-d9bc8823b03a --lang en -o plan.html`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if _, err := plan.ParseLang(lang); err != nil {
				return usageErr("--%v", err)
			}
			pdf := strings.HasSuffix(strings.ToLower(out), ".pdf")
			if !pdf && !strings.HasSuffix(strings.ToLower(out), ".html") {
				return usageErr("-o: want FILE.pdf or FILE.html, got %q", out)
			}
			if pdf {
				if _, err := report.FindChromium(); err != nil {
					return &exitError{code: 1, err: err}
				}
			}
			pool, model, err := cfg.openTravel(cmd.Context(), &travel)
			if err != nil {
				return err
			}
			defer pool.Close()
			src := report.Source{Pool: pool, Plans: &plan.Service{Pool: pool}, Travel: model}
			page, err := src.HTML(cmd.Context(), args[0], lang)
			if err != nil {
				return err
			}
			if pdf {
				err = report.PrintPDF(cmd.Context(), page, out)
			} else {
				err = os.WriteFile(out, page, 0o644)
			}
			if errors.Is(err, report.ErrNoChromium) {
				return &exitError{code: 1, err: err}
			}
			if err != nil {
				return err
			}
			fmt.Fprintln(cmd.ErrOrStderr(), "wrote", out)
			return nil
		},
	}
	cmd.Flags().StringVar(&lang, "lang", "zh", "zh or en")
	cmd.Flags().StringVarP(&out, "output", "o", "", "FILE.pdf or FILE.html")
	travel.bind(cmd)
	return cmd
}
