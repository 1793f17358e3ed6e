package report

// texts are the report's fixed texts in one language.
type texts struct {
	lang string
}

// get returns the text key in the report's language (the key itself when
// missing, so that a gap shows rather than hides).
func (t texts) get(key string) string {
	v, ok := phrases[key]
	if !ok {
		return key
	}
	if t.lang == "zh" {
		return v[1]
	}
	return v[0]
}

// vocab labels a value of one of the API's vocabularies.
func (t texts) vocab(kind, v string) string {
	l, ok := vocabulary[kind][v]
	if !ok {
		return v
	}
	if t.lang == "zh" {
		return l[1]
	}
	return l[0]
}

// phrases are the report's texts: English, Chinese.
var phrases = map[string][2]string{
	"title":             {"Cold-chain facility plan", "产地冷链设施布局方案"},
	"request":           {"What was asked", "规划任务"},
	"map_title":         {"Map: new sites, the producers they serve and the coverage gaps", "地图：新选址、服务的经营主体与覆盖缺口"},
	"legend_site":       {"new site (rank)", "新选址（序号）"},
	"legend_served":     {"producer served by a new site", "新选址服务的经营主体"},
	"legend_unserved":   {"producer left unserved", "仍未服务的经营主体"},
	"legend_other":      {"other producer of these classes", "其他同品类经营主体"},
	"legend_gap":        {"coverage gap today (uncovered t)", "现状覆盖缺口（未覆盖吨数）"},
	"figures":           {"Key figures", "关键指标"},
	"figure":            {"Figure", "指标"},
	"before":            {"Before", "规划前"},
	"after":             {"After", "规划后"},
	"change":            {"Change", "变化"},
	"coverage_rate":     {"Coverage rate (output within its class threshold)", "覆盖率（在品类预冷时限内可达的产量占比）"},
	"handling_rate":     {"Origin low-temperature handling rate", "产地低温处理率"},
	"handled_t":         {"Output handled (t/yr)", "低温处理量（吨/年）"},
	"peak_gap":          {"Peak-month capacity gap (t)", "高峰月库容缺口（吨）"},
	"capacity_added":    {"Capacity added", "新增库容"},
	"build_cost":        {"Build cost (10,000 CNY)", "建设投资（万元）"},
	"subsidy":           {"Subsidy estimate (10,000 CNY)", "补贴估算（万元）"},
	"unserved":          {"Output left unserved (t/yr)", "未服务产量（吨/年）"},
	"objective":         {"Objective", "目标值"},
	"poverty_share":     {"of the gain lands in poverty-exit areas", "的增量落在脱贫地区"},
	"poverty_detail":    {"of %s t gained, %s t; these areas hold %s of the classes' output.", "增量 %s 吨中有 %s 吨；这些地区占相关品类产量的 %s。"},
	"by_class":          {"Handling by class", "分品类低温处理"},
	"class":             {"Class", "品类"},
	"output_t":          {"Output (t/yr)", "产量（吨/年）"},
	"handled_before":    {"Handled before (t)", "规划前处理（吨）"},
	"handled_after":     {"Handled after (t)", "规划后处理（吨）"},
	"rate_change":       {"Handling rate", "处理率"},
	"sites":             {"Sites", "选址清单"},
	"rank":              {"No.", "序号"},
	"name":              {"Name", "名称"},
	"type_tier":         {"Type, tier", "类型、层级"},
	"capacity":          {"Capacity by zone", "分温区库容"},
	"cost":              {"Build cost / subsidy (10,000 CNY)", "投资/补贴（万元）"},
	"serves":            {"Serves", "服务对象"},
	"why":               {"Why here", "选址理由"},
	"runner_up":         {"Runner-up", "次优选址"},
	"serves_fmt":        {"%s t/yr, %d producers", "%s 吨/年，%d 个经营主体"},
	"runner_fmt":        {"%s (%s worse)", "%s（差 %s）"},
	"runner_better_fmt": {"%s (%s better: the search reached its time limit first)", "%s（多 %s：搜索先到时间上限）"},
	"chart_title":       {"Monthly standing stock against capacity", "月度在库量与库容"},
	"chart_stock":       {"standing stock", "在库量"},
	"chart_before":      {"handled before", "规划前可处理"},
	"chart_after":       {"handled after", "规划后可处理"},
	"month_n":           {"M%d", "%d月"},
	"tonnes":            {"t", "吨"},
	"proof":             {"How good is this plan", "方案质量"},
	"proof_fmt":         {"The engine proved that no plan can be more than %s %% better than this one (objective %s %s; proven bound %s).", "求解器已证明：任何方案都不可能比本方案好 %s%% 以上（目标值 %s %s，已证明界 %s）。"},
	"proof_parts_fmt":   {"The plan combines %d county parts, each solved with its own proven gap; no bound is proven for the combined plan, so how far it is from the region's best plan is not known.", "本方案由 %d 个县级部分合并而成，各部分分别求解并有各自的证明差距；合并方案没有证明的界，因此与全区域最优方案的差距未知。"},
	"parts":             {"County parts", "各县部分"},
	"part_county":       {"County", "县"},
	"part_status":       {"Status", "状态"},
	"part_objective":    {"Objective", "目标值"},
	"part_gap":          {"Proven gap", "证明差距"},
	"part_sites":        {"Sites", "选址"},
	"part_done":         {"done", "已完成"},
	"part_failed":       {"failed", "失败"},
	"part_skipped":      {"skipped (no share)", "跳过（未分得份额）"},
	"no_bound":          {"no bound", "无界"},
	"notes":             {"Notes", "说明"},
	"sources":           {"Data sources and date", "数据来源与日期"},
	"sources_fmt":       {"Producers, facilities, candidate sites and administrative boundaries from this coldchain database (%d producers of the plan's classes, %d regions drawn); travel times: %s. Plan %s computed %s; report generated %s.", "经营主体、现有设施、候选点与行政区划来自本系统数据库（本方案品类经营主体 %d 个，绘制行政区 %d 个）；通行时间：%s。方案 %s 计算于 %s；报告生成于 %s。"},
	"submitted_by":      {"Submitted by %s.", "提交人：%s。"},
	"req_region":        {"In %s, ", "在%s，"},
	"req_main":          {"place new %s (%s tier) for %s, by %s", "为%s规划新建%s（%s级），方法：%s"},
	"req_budget":        {"; build budget %s (10,000 CNY)", "；建设预算 %s 万元"},
	"req_target":        {"; least build cost to handle %s of the output", "；以最低建设投资使处理率达到 %s"},
	"req_p":             {"; %d new sites", "；新建 %d 处"},
	"req_candidates":    {"; candidates: %s.", "；候选点：%s。"},
	"whole_database":    {"the whole database", "全部数据范围"},
	"print":             {"Print / PDF", "打印 / PDF"},
}

// vocabulary labels the API's vocabularies: English, Chinese.
var vocabulary = map[string]map[string][2]string{
	"facility_type": {
		"ventilated_store": {"ventilated store", "通风贮藏库"}, "cold_room": {"cold room", "冷藏库"},
		"ca_store": {"CA store", "气调库"}, "precooling": {"pre-cooling station", "预冷站"},
		"quick_freeze": {"quick-freeze plant", "速冻库"}, "mobile_cold_room": {"mobile cold room", "移动冷库"},
		"collection_centre": {"collection centre", "产地集配中心"}, "county_logistics_centre": {"county logistics centre", "县域冷链物流中心"},
		"backbone_base": {"backbone base", "骨干冷链物流基地"},
	},
	"tier": {
		"field": {"field", "田头"}, "township": {"township", "乡镇"}, "county": {"county", "县"},
		"prefecture": {"prefecture", "地市"}, "national": {"national", "国家"},
	},
	"zone": {
		"frozen": {"frozen", "冷冻"}, "chilled": {"chilled", "冷藏"}, "ca": {"CA", "气调"},
		"cool": {"cool", "阴凉"}, "ambient": {"ambient", "常温"},
	},
	"candidates": {
		"user":      {"the planners' candidate sites", "规划人员提供的候选点"},
		"generated": {"generated from towns, central villages and a hexagon grid", "由集镇、中心村与六边形网格自动生成"},
		"both":      {"the planners' and generated candidate sites", "规划人员提供及自动生成的候选点"},
		"":          {"the planners' and generated candidate sites", "规划人员提供及自动生成的候选点"},
	},
}
