package locate

import "slices"

// coverReduced returns the model for "cover every group" with the sites
// fixed closed in fix (-1) left out of the rows and every group dropped
// whose remaining sites include all sites of another group (covering that
// other group covers it too; among equal rows the first is kept). Sites keep
// their indices, so a solution of the reduced model is one of m, and any
// choice of sites covers all of m's groups if and only if it covers all of
// the reduced model's (given the closed sites stay closed).
func (m *coverModel) coverReduced(fix []int8) *coverModel {
	ng := len(m.w)
	rows := make([][]int32, ng)
	for g := range ng {
		for _, j := range m.rowSite[m.rowStart[g]:m.rowStart[g+1]] {
			if fix[j] >= 0 {
				rows[g] = append(rows[g], j)
			}
		}
	}
	drop := make([]bool, ng)
	for g := range ng {
		drop[g] = m.rowImplied(g, rows, drop)
	}
	r := &coverModel{site: m.site, fixed: m.fixed, nCand: m.nCand, base: m.base, lost: m.lost, total: m.total, integral: m.integral}
	r.rowStart = []int{0}
	count := make([]int, len(m.site)+1)
	for g, row := range rows {
		if drop[g] {
			continue
		}
		r.w = append(r.w, m.w[g])
		r.rowSite = append(r.rowSite, row...)
		r.rowStart = append(r.rowStart, len(r.rowSite))
		for _, j := range row {
			count[j+1]++
		}
	}
	r.colStart = make([]int, len(m.site)+1)
	for j := range m.site {
		r.colStart[j+1] = r.colStart[j] + count[j+1]
	}
	r.colDem = make([]int32, len(r.rowSite))
	fill := slices.Clone(r.colStart[:len(m.site)])
	for g := range r.w {
		for _, j := range r.rowSite[r.rowStart[g]:r.rowStart[g+1]] {
			r.colDem[fill[j]] = int32(g)
			fill[j]++
		}
	}
	return r
}

// rowImplied reports whether some other group not dropped has its sites
// within group g's (so covering it covers g).
func (m *coverModel) rowImplied(g int, rows [][]int32, drop []bool) bool {
	row := rows[g]
	for _, j := range row {
		for _, h := range m.colDem[m.colStart[j]:m.colStart[j+1]] {
			if int(h) == g || drop[h] || len(rows[h]) == 0 || len(rows[h]) > len(row) {
				continue
			}
			if subsetSorted(rows[h], row) && (len(rows[h]) < len(row) || int(h) < g) {
				return true
			}
		}
	}
	return false
}
