package derrors

import (
	"regexp"
	"strings"
)

// zhSentences translate whole messages a planner meets most, keeping
// their figures and names ($1, $2, … are the English message's groups).
var zhSentences = []struct {
	en *regexp.Regexp
	zh string
}{
	{regexp.MustCompile(`^handling_target (\S+) % cannot be reached: with every candidate site and expansion built, at most (\S+) % of the output of (.+) can be handled; .*$`),
		"处理率目标 $1% 无法达到：即使建成全部候选点和扩建项目，$3 的产量最多也只能处理 $2%；请降低目标，或增加候选点、更大的规模（capacity_menu、expansion_menu）"},
	{regexp.MustCompile(`^budget (\S+) \(10,000 CNY\) cannot serve all (\S+) t of reachable output: full service needs a budget of (\S+) \(proven at least (\S+)\); .*$`),
		"预算 $1 万元不足以服务全部 $2 吨可达产量：全部服务需要预算 $3 万元（已证明至少 $4 万元）；请提高预算，或改用库容问题（capacity）在该预算内处理尽可能多的吨数"},
	{regexp.MustCompile(`^budget (\S+) \(10,000 CNY\) cannot serve all (\S+) t of reachable output: (\S+) t of peak stock has no store, and the cheapest size costs (\S+) per tonne, so full service needs a budget of at least (\S+); .*$`),
		"预算 $1 万元不足以服务全部 $2 吨可达产量：$3 吨高峰库存没有库容，最便宜的规模每吨 $4 万元，全部服务至少需要预算 $5 万元；请提高预算，或改用库容问题（capacity）"},
	{regexp.MustCompile(`^budget or handling_target: (\S+) needs one.*$`),
		"需要 budget 或 handling_target：$1 问题需给出其一——预算（万元）用于在预算内处理最多吨数，或处理率目标（如 0.6）用于以最低成本达到该目标"},
	{regexp.MustCompile(`^budget and handling_target: give one.*$`),
		"budget 与 handling_target 只能给出其一：预算用于在预算内处理最多吨数，处理率目标用于以最低成本达到该目标"},
	{regexp.MustCompile(`^budget (\S+) is below the cheapest candidate site's build cost (\S+) \(10,000 CNY\)$`),
		"预算 $1 低于最便宜候选点的建设成本 $2 万元"},
	{regexp.MustCompile(`^(.+) has no producers of (.+)$`), "$1 没有 $2 的经营主体"},
	{regexp.MustCompile(`^no candidate sites for a (\S+) (\S+) \((\d+) fell in exclusion zones or on the wrong land\): .*$`),
		"没有可用于 $1 $2 的候选点（$3 个位于禁建区或用地不符）：请添加候选点或使用 candidates=generated"},
	{regexp.MustCompile(`^p = (\d+) but only (\d+) candidate sites are available$`), "p = $1，但只有 $2 个候选点"},
	{regexp.MustCompile(`^coverage target (\S+) % is unreachable: (\S+) % of the output has no site within reach$`),
		"覆盖目标 $1% 无法达到：$2% 的产量在可达范围内没有站点"},
	{regexp.MustCompile(`^plan (\S+) is adopted already \((\d+) facilities come from it\)$`), "方案 $1 已被采纳（已由其生成 $2 个设施）"},
	{regexp.MustCompile(`^plan (\S+) suggests no sites: nothing to adopt$`), "方案 $1 没有建议站点：无可采纳内容"},
	{regexp.MustCompile(`^plan "?([^" ]+)"? not found$`), "未找到方案 $1"},
	{regexp.MustCompile(`^CSV header: column (\d+) has no name: .*$`), "CSV 表头：第 $1 列没有列名：请在表头行为每一列命名，或删除空列"},
	{regexp.MustCompile(`^CSV header: column (.+) appears twice: .*$`), "CSV 表头：列 $1 出现了两次：请重命名或删除其中一列"},
	{regexp.MustCompile(`^CSV header: no column for the required field (\S+) of (\S+) \(columns: (.*)\): name a column (.+)$`),
		"CSV 表头：$2 的必填字段 $1 没有对应的列（现有列：$3）：请将一列命名为 $4"},
	{regexp.MustCompile(`^CSV header: want lon and lat columns .*; got (.*): rename the coordinate columns$`),
		"CSV 表头：需要经度、纬度列（lon/lat、longitude/latitude、x/y 或 经度/纬度）或 wkt 列，实际为 $1：请重命名坐标列"},
	{regexp.MustCompile(`^CSV: the first line \((.*)\) looks like data, not a header: .*$`),
		"CSV：第一行（$1）看起来是数据而不是表头：请添加表头行说明各列，例如 代码,名称,级别,上级代码,经度,纬度"},
	{regexp.MustCompile(`^(\S+) already exists: import with --upsert to replace it \(API: PUT (\S+)\)$`),
		"$1 已存在：导入时加 --upsert 以替换（API：PUT $2）"},
	{regexp.MustCompile(`^(\d+) regions? (?:is|are) known only by a point \(([^)]*)\): .*$`),
		"$1 个区划只有点位（$2）：其范围为推算所得，即上级区划中距该点比距同级其他点更近的部分，并非官方边界"},
	{regexp.MustCompile(`^(\d+) features? (?:lies|lie) outside every region \(rows? ([^)]*)\): .*$`),
		"$1 个要素不在任何区划内（第 $2 行）：已保留但没有区划代码；请检查坐标和 --datum，或导入包含它们的区划"},
	{regexp.MustCompile(`^this looks like a DataV/Amap file .*$`),
		"该文件看起来是 DataV/高德文件（含 adcode 属性），坐标为 GCJ-02，但未指定 --datum，因此按 WGS84 读入，偏差 300–700 米：请用 --datum gcj02 --upsert 重新导入（若文件已转换，则用 --datum wgs84）"},
	{regexp.MustCompile(`^the areas of (.+) are derived from their points .*$`),
		"$1 的范围由点位推算（上级区划中距各点比距同级其他点更近的部分），并非官方边界：边界附近的经营主体可能属于相邻区划"},
	{regexp.MustCompile(`^the (\S+) layer is read-only: (.*)$`), "$1 图层为只读：$2"},
	{regexp.MustCompile(`^filter: unknown property "(.*)" \(queryables: (.+)\)$`), "filter：未知属性 \"$1\"（可查询属性：$2）"},
	{regexp.MustCompile(`^filter: function (\S+) at (\d+) is not supported .*$`),
		"filter：不支持函数 $1（位置 $2）；可用比较、AND/OR/NOT、LIKE、BETWEEN、IN、IS NULL 和空间谓词 S_INTERSECTS 等"},
	{regexp.MustCompile(`^filter: (\S+) (\S+): \S+ is a (\S+), so compare it with a \S+, not (.+)$`), "filter：$1 的类型为 $3，请用 $3 与之比较（$2），而不是 $4"},
	{regexp.MustCompile(`^filter: nested more than (\d+) levels deep$`), "filter：嵌套超过 $1 层，请简化"},
	{regexp.MustCompile(`^(crs|bbox-crs|filter-crs): unsupported CRS "(.*)" \(supported: (.+)\)$`), "$1：不支持的坐标参考系 \"$2\"（支持：$3）"},
	{regexp.MustCompile(`^sortby: unknown property "(.*)" \(sortable: (.+); prefix - for descending\)$`), "sortby：未知属性 \"$1\"（可排序：$2；前加 - 表示降序）"},
	{regexp.MustCompile(`^the region holds (\d+) producers and one measure takes at most (\d+): measure its prefectures or counties \(region=<code>\) instead; a plan over it is split by county$`), "该区域有 $1 个生产主体，一次测算最多 $2 个：请改为按地级市或县测算（region=<代码>）；对该区域的规划会按县分解"},
	{regexp.MustCompile(`^(.+) not found$`), "未找到 $1"},
	{regexp.MustCompile(`^(.+) already exists$`), "$1 已存在"},
	{regexp.MustCompile(`^the database is unavailable; try again shortly$`), "数据库暂时不可用，请稍后重试"},
}

// zhPhrases translate the parts of other messages, word group by word
// group: field names, values and figures stay as they are.
var zhPhrases = strings.NewReplacer(
	"want a share in", "应为比例，范围", "want a number", "应为数字", "want a cost", "应为成本",
	"want a weight from", "应为权重，范围", "want tonnes", "应为吨数", "unknown value", "未知取值",
	"unknown class", "未知品类", "unknown zone", "未知温区", "name at least one product class", "请至少选择一个品类",
	"at most", "最多", "got", "实际为", "want", "应为", " to ", " 至 ", "seconds", "秒",
	"is not an administrative code", "不是行政区划代码", "needs the number of new sites", "需要新站点数",
	"characters", "个字符", "digits", "位数字", "such as", "例如", "sizes", "个规模", "classes", "个品类", "zones", "个温区",
)

// Chinese renders a user-facing message in Chinese: a known message
// whole, others phrase by phrase. It never drops the English figures.
func Chinese(msg string) string {
	for _, s := range zhSentences {
		if s.en.MatchString(msg) {
			return s.en.ReplaceAllString(msg, s.zh)
		}
	}
	return zhPhrases.Replace(msg)
}

// zhTitles are the problem titles of HTTP statuses in Chinese.
var zhTitles = map[int]string{
	400: "请求有误", 401: "需要令牌", 403: "权限不足", 404: "未找到", 405: "不允许的方法",
	409: "冲突", 412: "前提条件不满足", 413: "请求体过大", 422: "无法满足的请求", 429: "请求过多",
	499: "请求已取消", 500: "服务器内部错误", 503: "服务暂不可用",
}

// ChineseTitle is the Chinese title of an HTTP status ("" if unknown).
func ChineseTitle(status int) string { return zhTitles[status] }
