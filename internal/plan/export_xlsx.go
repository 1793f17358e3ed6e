package plan

import (
	"encoding/json"
	"io"

	"github.com/paulmach/orb/geojson"

	"github.com/coldchain/coldchain/internal/derrors"
	"github.com/coldchain/coldchain/internal/runs"
	"github.com/coldchain/coldchain/internal/xlsx"
)

// label is a text in English and Chinese.
type label struct{ EN, ZH string }

func (l label) in(lang string) string {
	if lang == "zh" {
		return l.ZH
	}
	return l.EN
}

// labels renders labels in lang.
func labels(lang string, ls ...label) []string {
	out := make([]string, len(ls))
	for i, l := range ls {
		out[i] = l.in(lang)
	}
	return out
}

// ParseLang checks a report or workbook language: "zh" (default) or "en".
func ParseLang(lang string) (string, error) {
	switch lang {
	case "", "zh":
		return "zh", nil
	case "en":
		return "en", nil
	}
	return "", derrors.Invalid("lang: want zh or en, got %q", lang)
}

// siteColumnsZH are the Chinese headers of exportColumns, in order.
var siteColumnsZH = []string{"排序", "选址编号", "候选点编号", "名称", "来源", "设施类型", "层级",
	"冷冻库容(吨)", "冷藏库容(吨)", "气调库容(吨)", "预冷/恒温库容(吨)", "常温库容(吨)",
	"服务量(吨/年)", "服务经营主体数", "服务品类", "建设投资(万元)", "补贴估算(万元)",
	"边际贡献", "最近现有设施", "最近现有设施(分钟)", "次优选址", "次优选址差距", "行政区划代码", "选址理由"}

// WriteXLSX writes a finished plan as a workbook in lang ("zh" or "en"):
// key figures, sites, allocations, handling by class, by month and by
// township. It returns ErrConflict for a plan that is not done.
func WriteXLSX(w io.Writer, p *Plan, lang string) error {
	fc, err := projectRows(p)
	if err != nil {
		return err
	}
	var r Result
	if err := json.Unmarshal(p.Result, &r); err != nil {
		return err
	}
	sheets := []xlsx.Sheet{
		figuresSheet(&r, lang),
		sitesSheet(fc, lang),
		allocationsSheet(&r, lang),
		classSheet(&r, lang),
		monthSheet(&r, lang),
		townshipSheet(&r, lang),
	}
	return xlsx.Write(w, sheets)
}

// SheetNames are the plan workbook's sheet names by language, in order.
var SheetNames = map[string][]string{
	"en": {"Key figures", "Sites", "Allocations", "By class", "By month", "By township"},
	"zh": {"关键指标", "选址", "分配", "按品类", "按月", "按乡镇"},
}

func sheetName(lang string, i int) string { return SheetNames[lang][i] }

// provenGap is the plan's proven gap, or for a plan combined from
// county parts, which states none, words saying so.
func provenGap(r *Result, lang string) any {
	if r.NoBound {
		return label{"none for the combined plan (each county part has its own)", "合并方案无整体界（各县部分各有其证明差距）"}.in(lang)
	}
	return r.Gap
}

// figuresSheet is the plan's key figures before and after.
func figuresSheet(r *Result, lang string) xlsx.Sheet {
	c := r.Change
	rows := [][]any{
		{label{"Objective", "目标"}.in(lang), label{r.ObjectiveLabel, r.ObjectiveLabelZH}.in(lang), nil, r.Objective},
		{label{"Proven gap (%)", "已证明最优差距(%)"}.in(lang), nil, nil, provenGap(r, lang)},
		{label{"Coverage rate", "覆盖率"}.in(lang), c.CoverageRateBefore, c.CoverageRateAfter, c.CoverageRateAfter - c.CoverageRateBefore},
		{label{"Handling rate", "产地低温处理率"}.in(lang), c.HandlingRateBefore, c.HandlingRateAfter, c.HandlingRateAfter - c.HandlingRateBefore},
		{label{"Handled (t/yr)", "处理量(吨/年)"}.in(lang), r.Before.HandledT, r.After.HandledT, r.After.HandledT - r.Before.HandledT},
		{label{"Peak-month capacity gap (t)", "高峰月库容缺口(吨)"}.in(lang), r.Before.PeakCapacityGapT, r.After.PeakCapacityGapT, r.After.PeakCapacityGapT - r.Before.PeakCapacityGapT},
		{label{"Share of the gain in poverty-exit areas", "增量中脱贫地区占比"}.in(lang), nil, nil, r.Priority.PovertyExitShare},
		{label{"Gain in poverty-exit areas (t)", "脱贫地区增量(吨)"}.in(lang), nil, nil, r.Priority.PovertyExitGainT},
		{label{"Build cost (10,000 CNY)", "建设投资(万元)"}.in(lang), nil, nil, c.BuildCost},
		{label{"Subsidy estimate (10,000 CNY)", "补贴估算(万元)"}.in(lang), nil, nil, c.SubsidyEstimate},
		{label{"Output left unserved (t)", "未服务产量(吨)"}.in(lang), nil, nil, r.UnservedT},
	}
	for zone, t := range c.CapacityAddedT {
		rows = append(rows, []any{label{"Capacity added, " + zone + " (t)", "新增库容 " + zone + "(吨)"}.in(lang), nil, nil, t})
	}
	notes := r.Notes
	if lang == "zh" {
		notes = r.NotesZH
	}
	for _, n := range notes {
		rows = append(rows, []any{label{"Note", "说明"}.in(lang), n})
	}
	return xlsx.Sheet{Name: sheetName(lang, 0), Header: labels(lang,
		label{"Figure", "指标"}, label{"Before", "规划前"}, label{"After", "规划后"}, label{"Change", "变化"}), Rows: rows}
}

// sitesSheet is the project list (exportColumns) with the reason in lang.
func sitesSheet(fc *geojson.FeatureCollection, lang string) xlsx.Sheet {
	header := append(append([]string{}, exportColumns...), "lon", "lat")
	if lang == "zh" {
		header = append(append([]string{}, siteColumnsZH...), "经度", "纬度")
	}
	var rows [][]any
	for _, f := range fc.Features {
		row := make([]any, 0, len(header))
		for _, c := range exportColumns {
			v := f.Properties[c]
			if c == "reason" && lang == "zh" {
				v = f.Properties["reason_zh"]
			}
			row = append(row, cellOf(v))
		}
		pt := f.Geometry.Bound().Center()
		rows = append(rows, append(row, pt[0], pt[1]))
	}
	return xlsx.Sheet{Name: sheetName(lang, 1), Header: header, Rows: rows}
}

// cellOf makes a JSON value a sheet cell.
func cellOf(v any) any {
	switch x := v.(type) {
	case nil, float64, string, bool, int:
		return x
	}
	return runs.CSVCell(v)
}

// allocationsSheet lists producer → site allocations.
func allocationsSheet(r *Result, lang string) xlsx.Sheet {
	rows := make([][]any, 0, len(r.Assigned))
	for _, a := range r.Assigned {
		var min any = a.Minutes
		if a.Minutes < 0 {
			min = nil
		}
		rows = append(rows, []any{a.Producer, a.Site, min, a.T})
	}
	return xlsx.Sheet{Name: sheetName(lang, 2), Header: labels(lang,
		label{"producer", "经营主体"}, label{"site", "选址"}, label{"minutes", "车程(分钟)"}, label{"t", "吨/年"}), Rows: rows}
}

// classSheet is coverage and handling by class before and after.
func classSheet(r *Result, lang string) xlsx.Sheet {
	var rows [][]any
	for _, c := range r.ByClass {
		rows = append(rows, []any{c.Class, c.OutputT, c.CoveredTBefore, c.CoveredTAfter,
			c.HandledTBefore, c.HandledTAfter, c.HandlingRateBefore, c.HandlingRateAfter})
	}
	return xlsx.Sheet{Name: sheetName(lang, 3), Header: labels(lang,
		label{"class", "品类"}, label{"output_t", "产量(吨)"}, label{"covered_t_before", "规划前覆盖(吨)"},
		label{"covered_t_after", "规划后覆盖(吨)"}, label{"handled_t_before", "规划前处理(吨)"},
		label{"handled_t_after", "规划后处理(吨)"}, label{"handling_rate_before", "规划前处理率"},
		label{"handling_rate_after", "规划后处理率"}), Rows: rows}
}

// monthSheet is each month's standing stock and handled stock.
func monthSheet(r *Result, lang string) xlsx.Sheet {
	var rows [][]any
	for _, m := range r.Months {
		rows = append(rows, []any{m.Month, m.StockT, m.HandledBefore, m.HandledAfter, m.ShortfallT})
	}
	return xlsx.Sheet{Name: sheetName(lang, 4), Header: labels(lang,
		label{"month", "月份"}, label{"stock_t", "在库量(吨)"}, label{"handled_stock_t_before", "规划前可处理(吨)"},
		label{"handled_stock_t_after", "规划后可处理(吨)"}, label{"shortfall_t_after", "规划后缺口(吨)"}), Rows: rows}
}

// townshipSheet is the measures by township after the plan.
func townshipSheet(r *Result, lang string) xlsx.Sheet {
	var rows [][]any
	for _, g := range r.Regions {
		rows = append(rows, []any{g.Region, g.Name, g.OutputT, g.CoveredT, g.CoverageRate, g.HandledT, g.HandlingRate, g.PeakCapacityGapT})
	}
	return xlsx.Sheet{Name: sheetName(lang, 5), Header: labels(lang,
		label{"region", "行政区划代码"}, label{"name", "乡镇"}, label{"output_t", "产量(吨)"}, label{"covered_t", "覆盖(吨)"},
		label{"coverage_rate", "覆盖率"}, label{"handled_t", "处理量(吨)"}, label{"handling_rate", "处理率"},
		label{"peak_capacity_gap_t", "高峰月缺口(吨)"}), Rows: rows}
}
