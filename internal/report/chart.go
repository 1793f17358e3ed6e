package report

import (
	"fmt"
	"html/template"
	"math"
	"strings"

	"github.com/coldchain/coldchain/internal/plan"
)

// monthChart draws each month's standing stock of the plan's classes and
// the stock handled before and after the plan, as grouped bars.
func monthChart(months []plan.MonthChange, t texts) template.HTML {
	const w, h, left, bottom, top = 900.0, 300.0, 60.0, 40.0, 30.0
	maxV := 0.0
	for _, m := range months {
		maxV = math.Max(maxV, math.Max(m.StockT, m.HandledAfter))
	}
	step := niceStep(maxV / 5)
	maxV = math.Max(step*math.Ceil(maxV/step), step)
	var sb strings.Builder
	fmt.Fprintf(&sb, `<svg id="month-chart" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 %.0f %.0f" role="img" aria-label="%s">`, w, h, template.HTMLEscapeString(t.get("chart_title")))
	plotH := h - bottom - top
	y := func(v float64) float64 { return top + plotH*(1-v/maxV) }
	for v := 0.0; v <= maxV+1e-9; v += step {
		fmt.Fprintf(&sb, `<path d="M%.0f %.1fH%.0f" stroke="#e4e7eb"/><text x="%.0f" y="%.1f" font-size="11" text-anchor="end" fill="#52606d">%s</text>`,
			left, y(v), w-10, left-6, y(v)+4, fmtNum(v))
	}
	colW := (w - left - 10) / 12
	bars := []struct {
		color string
		value func(plan.MonthChange) float64
	}{
		{"#cbd2d9", func(m plan.MonthChange) float64 { return m.StockT }},
		{"#f0a04b", func(m plan.MonthChange) float64 { return m.HandledBefore }},
		{"#2f9e44", func(m plan.MonthChange) float64 { return m.HandledAfter }},
	}
	for i, m := range months {
		x0 := left + float64(i)*colW + colW*0.12
		bw := colW * 0.76 / float64(len(bars))
		for k, b := range bars {
			v := b.value(m)
			fmt.Fprintf(&sb, `<rect class="bar" x="%.1f" y="%.1f" width="%.1f" height="%.1f" fill="%s"><title>%.0f t</title></rect>`,
				x0+float64(k)*bw, y(v), bw-1, y(0)-y(v), b.color, v)
		}
		fmt.Fprintf(&sb, `<text x="%.1f" y="%.0f" font-size="11" text-anchor="middle" fill="#52606d">%s</text>`, x0+colW*0.38, h-bottom+16, fmt.Sprintf(t.get("month_n"), m.Month))
	}
	x := left
	for k, key := range []string{"chart_stock", "chart_before", "chart_after"} {
		label := t.get(key)
		fmt.Fprintf(&sb, `<rect x="%.0f" y="8" width="12" height="10" fill="%s"/><text x="%.0f" y="17" font-size="11" fill="#323f4b">%s</text>`,
			x, bars[k].color, x+16, template.HTMLEscapeString(label))
		x += 30 + textWidth(label, 11)
	}
	fmt.Fprintf(&sb, `<text x="4" y="%.0f" font-size="11" fill="#52606d">%s</text></svg>`, top-8, template.HTMLEscapeString(t.get("tonnes")))
	return template.HTML(sb.String())
}

// niceStep rounds a step up to 1, 2 or 5 times a power of ten.
func niceStep(x float64) float64 {
	if x <= 0 {
		return 1
	}
	p := math.Pow(10, math.Floor(math.Log10(x)))
	for _, m := range []float64{1, 2, 5, 10} {
		if m*p >= x {
			return m * p
		}
	}
	return 10 * p
}

// fmtNum writes a number with thousands separators and no decimals.
func fmtNum(v float64) string {
	s := fmt.Sprintf("%.0f", math.Abs(v))
	var out []byte
	for i := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			out = append(out, ',')
		}
		out = append(out, s[i])
	}
	if v < -0.5 {
		return "-" + string(out)
	}
	return string(out)
}
