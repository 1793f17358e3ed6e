package ingest

import (
	"fmt"
	"sort"
	"strings"

	"github.com/coldchain/coldchain/internal/layer"
)

// aliases maps other names of a column (as planners' files name them:
// Chinese headers of NBS and bureau tables, DataV/Amap GeoJSON properties)
// to the layer's field name. An alias applies only to layers that have
// the field.
var aliases = map[string]string{
	"代码": "code", "编码": "code", "区划代码": "code", "行政区划代码": "code", "统计用区划代码": "code", "adcode": "code",
	"名称": "name", "名字": "name", "区划名称": "name", "单位名称": "name", "主体名称": "name", "设施名称": "name",
	"级别": "level", "层级": "level", "区划级别": "level",
	"上级代码": "parent_code", "父级代码": "parent_code", "上级区划代码": "parent_code", "上级编码": "parent_code", "parent": "parent_code",
	"人口": "population", "常住人口": "population", "户籍人口": "population",
	"编号": "id", "序号": "id",
	"产品": "product_class", "品类": "product_class", "产品类别": "product_class", "产品类型": "product_class",
	"年产量": "annual_output_t", "年产量(吨)": "annual_output_t", "年产量（吨）": "annual_output_t", "年产量吨": "annual_output_t",
	"经营主体类型": "operator_type", "主体类型": "operator_type", "经营类型": "operator_type",
	"设施类型": "facility_type", "设施层级": "tier", "状态": "status", "建设状态": "status",
	"可接收品类": "product_classes", "建设成本": "build_cost", "用地类型": "land_use", "类型": "kind",
}

// valueAliases maps Chinese (and DataV) values of enumerated fields to
// their codes.
var valueAliases = map[string]map[string]string{
	"level": {
		"省": "province", "省级": "province",
		"市": "prefecture", "地级": "prefecture", "地级市": "prefecture", "市级": "prefecture", "city": "prefecture",
		"县": "county", "区": "county", "县级": "county", "县级市": "county", "县区": "county", "district": "county",
		"乡": "township", "镇": "township", "乡镇": "township", "街道": "township", "乡级": "township", "street": "township",
		"村": "village", "社区": "village", "村级": "village", "居委会": "village", "村委会": "village",
	},
	"operator_type": {
		"家庭农场": "family_farm", "合作社": "cooperative", "专业合作社": "cooperative", "农民专业合作社": "cooperative",
		"企业": "enterprise", "公司": "enterprise", "龙头企业": "enterprise",
		"村集体": "village_collective", "散户": "smallholders", "农户": "smallholders",
	},
	"product_class": {
		"叶菜": "leafy_vegetable", "叶菜类": "leafy_vegetable", "耐储蔬菜": "hardy_vegetable", "根茎类蔬菜": "hardy_vegetable",
		"浆果": "berry", "草莓": "berry", "浆果（草莓）": "berry", "水果": "fruit", "柑橘": "citrus", "脐橙": "citrus",
		"肉类": "meat", "肉": "meat", "水产品": "aquatic", "水产": "aquatic", "生鲜乳": "dairy", "鲜奶": "dairy",
		"鲜切花": "flower", "花卉": "flower", "成品茶": "tea", "茶叶": "tea", "茶": "tea",
		"食用菌": "mushroom", "菌菇": "mushroom", "药材与香草": "herbs", "中药材": "herbs", "药材": "herbs",
	},
}

// columnMap renames a file's columns to a layer's fields and records which
// were used and which ignored.
type columnMap struct {
	layer   *layer.Layer
	fields  map[string]bool
	used    map[string]string // file column -> field
	ignored map[string]bool
	dataV   bool
	// keys is the previous row's property names, sorted: CSV rows (and
	// most GeoJSON features) repeat them.
	keys []string
	// resolved caches field(col) by column name (up to maxColumns).
	resolved map[string]string
	// out is apply's result, reused row after row.
	out map[string]any
}

func newColumnMap(l *layer.Layer) *columnMap {
	m := &columnMap{layer: l, fields: map[string]bool{}, used: map[string]string{}, ignored: map[string]bool{}}
	for _, f := range l.Fields {
		m.fields[f.Name] = true
	}
	for _, c := range l.Columns() { // capacity_<zone>_t
		m.fields[c] = true
	}
	return m
}

// maxColumns bounds the column names remembered for the report.
const maxColumns = 200

// field returns the field a file column feeds, or "".
func (m *columnMap) field(col string) string {
	key := strings.TrimSpace(col)
	if m.fields[strings.ToLower(key)] {
		return strings.ToLower(key)
	}
	if f, ok := aliases[key]; ok && m.fields[f] {
		return f
	}
	if f, ok := aliases[strings.ToLower(key)]; ok && m.fields[f] {
		return f
	}
	return m.truncated(strings.ToLower(key))
}

// dbfNameLen is the longest column name a shapefile's .dbf holds: GDAL
// cuts product_class to product_cl.
const dbfNameLen = 10

// truncated returns the one field whose name a shapefile cut to col, or "".
func (m *columnMap) truncated(col string) string {
	if len(col) != dbfNameLen {
		return ""
	}
	found := ""
	for f := range m.fields {
		if strings.HasPrefix(f, col) {
			if found != "" {
				return ""
			}
			found = f
		}
	}
	return found
}

// apply renames props to field names and maps Chinese values of
// enumerated fields. A column that names the same field as another is
// ignored when the field already has a value. The map it returns is
// reused by the next call: it is valid until then.
func (m *columnMap) apply(props map[string]any) map[string]any {
	if m.out == nil {
		m.out = make(map[string]any, len(props))
	}
	out := m.out
	clear(out)
	for _, k := range m.sortedKeys(props) { // deterministic when two columns feed one field
		v := props[k]
		if k == "adcode" || k == "acroutes" { // DataV/Amap boundaries
			m.dataV = true
		}
		f := m.cachedField(k)
		if f == "" {
			m.note(k, "")
			continue
		}
		if _, taken := out[f]; taken && k != f {
			m.note(k, "")
			continue
		}
		if f == "parent_code" {
			if obj, ok := v.(map[string]any); ok { // DataV: "parent": {"adcode": 360300}
				v = obj["adcode"]
			}
		}
		if s, ok := v.(string); ok {
			if code, ok := valueAliases[f][strings.TrimSpace(s)]; ok {
				v = code
			}
		}
		out[f] = v
		m.note(k, f)
	}
	return out
}

// sortedKeys returns the names of props, sorted: the previous row's when
// they are the same.
func (m *columnMap) sortedKeys(props map[string]any) []string {
	same := len(props) == len(m.keys)
	for _, k := range m.keys {
		if !same {
			break
		}
		_, same = props[k]
	}
	if same {
		return m.keys
	}
	m.keys = m.keys[:0]
	for k := range props {
		m.keys = append(m.keys, k)
	}
	sort.Strings(m.keys)
	return m.keys
}

// cachedField is field(col), remembered for the next rows.
func (m *columnMap) cachedField(col string) string {
	if f, ok := m.resolved[col]; ok {
		return f
	}
	f := m.field(col)
	if m.resolved == nil {
		m.resolved = map[string]string{}
	}
	if len(m.resolved) < maxColumns {
		m.resolved[col] = f
	}
	return f
}

func (m *columnMap) note(col, field string) {
	if len(m.used)+len(m.ignored) >= maxColumns {
		return
	}
	if field != "" && m.used[col] == field {
		return // noted on an earlier row
	}
	if field == "" {
		if _, used := m.used[col]; !used {
			m.ignored[col] = true
		}
		return
	}
	m.used[col] = field
	delete(m.ignored, col)
}

// report says which columns fed which fields and which were ignored; ""
// when every column was a field under its own name.
func (m *columnMap) report(geometry []string) string {
	var used, ignored []string
	renamed := false
	for c, f := range m.used {
		if c == f {
			used = append(used, c)
		} else {
			used = append(used, c+" → "+f)
			renamed = true
		}
	}
	for c := range m.ignored {
		ignored = append(ignored, c)
	}
	if !renamed && len(ignored) == 0 {
		return ""
	}
	sort.Strings(used)
	sort.Strings(ignored)
	used = append(used, geometry...)
	s := "columns used: " + strings.Join(used, ", ")
	if len(ignored) > 0 {
		s += fmt.Sprintf("; ignored (no %s field of that name): %s", m.layer.Name, strings.Join(ignored, ", "))
	}
	return s
}
