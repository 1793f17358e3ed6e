// Translations (English and Simplified Chinese) and locale-aware formats.
// Every string the UI shows comes from here: t(key, params) for messages,
// label(kind, value) for the API's vocabularies, and the fmt* helpers for
// numbers with their units.

const en = {
  app_title: "coldchain",
  app_subtitle: "Cold-chain facility planning",
  lang_switch: "中文",
  lang_switch_title: "切换到中文",
  settings: "Settings",
  token_set: "Planner token set",
  token_none: "Viewer (no token)",
  tab_overview: "Overview",
  tab_plan: "Plan",
  tab_compare: "Compare",
  loading: "Loading…",
  loading_map: "Loading the county…",
  county: "County",
  whole_county: "Whole county",
  back_to_county: "Back to the county",
  clicked_township_hint: "Click a township on the map to see its figures.",
  whole_area: "All regions",
  breadcrumb: "Regions above the one shown",
  region_picker: "Show a region one level down",
  region_picker_choose: "Choose a {level}…",

  kpi_title: "Key figures",
  kpi_coverage: "Coverage rate",
  kpi_coverage_help: "Share of output (t) within its class's pre-cooling time of a compatible facility",
  kpi_handling: "Origin low-temperature handling rate",
  kpi_handling_help: "Tonnes that reachable compatible capacity can handle ÷ total output",
  kpi_capgap: "Capacity gap",
  kpi_capgap_help: "Peak standing stock that reachable capacity cannot hold",
  kpi_capgap_peak: "peak in {month}",
  kpi_output: "Output",
  kpi_output_year: "Output a year",
  kpi_producers: "Producers",
  kpi_median_access: "Median access",
  kpi_no_access: "Without access",
  kpi_per_year: "{v} / yr",
  chart_title: "Standing stock by month",
  chart_handled: "Held by reachable capacity",
  chart_shortfall: "Shortfall",
  chart_hint: "Click a month to show its gaps",
  class_table_title: "By product class",
  col_class: "Class",
  col_output: "Output",
  col_coverage: "Coverage",
  col_handling: "Handling",

  filters_title: "Filters",
  filter_classes: "Product classes",
  filter_zones: "Temperature zones",
  filter_all: "All",
  filter_none_match: "No class stores in the chosen zones.",
  filter_clear: "Clear filters",

  layers_title: "Layers",
  layer_townships: "Townships",
  layer_producers: "Producers",
  layer_facilities: "Facilities",
  layer_candidates: "Candidate sites",
  layer_exclusions: "Exclusion zones",
  layer_gaps: "Gap hexagons",
  layer_access: "Service areas",
  layer_plan: "Plan results",
  layer_basemap: "Basemap",
  legend_producer_size: "size: output per year",
  legend_gap: "uncovered output",
  legend_access_covered: "within its class's time",
  legend_access_uncovered: "too far: not covered",
  legend_access_note: "each producer linked to its nearest compatible facility",
  legend_plan_site: "new site (rank)",
  legend_plan_lines: "producers it serves",
  legend_existing: "existing",
  legend_under_construction: "under construction",
  legend_planned: "planned",
  legend_proposed: "proposed",
  legend_tier_size: "size: tier (field → national)",
  legend_candidate: "candidate site",
  legend_tiles: "vector tiles",

  month: "Month",
  month_all: "All year",
  month_gap_summary: "{t} uncovered in {n} hexagons",
  month_gap_none: "No uncovered output",
  months_short: "Jan,Feb,Mar,Apr,May,Jun,Jul,Aug,Sep,Oct,Nov,Dec",
  months_long: "January,February,March,April,May,June,July,August,September,October,November,December",

  plan_title: "New plan",
  plan_intro: "Where should new facilities go? The engine returns the sites, why each was chosen and a proven bound on how far the answer can be from the best.",
  plan_name: "Name (optional)",
  plan_problem: "Question",
  include_planned: "Count planned facilities (adopted plans)",
  include_planned_help: "Figures as the adopted plans would leave the county",
  result_adopt: "Adopt: add as planned facilities",
  result_adopted: "Adopted: {n} planned facilities; the figures now count them",
  problem_capacity: "Handle the most output within a budget, or reach a handling rate at least cost",
  plan_mode: "Asked for",
  mode_budget: "Most tonnes handled within a budget",
  mode_target: "Least cost to reach a handling rate",
  plan_handling_target: "Handling rate to reach",
  plan_priority: "Weight of poverty-exit areas",
  plan_priority_hint: "1 = same as elsewhere; 2 counts their tonnes twice",
  result_handling_by_class: "Handling rate by class, before → after",
  result_months: "Standing stock and stock handled by month",
  result_months_legend: "bar: stock; dark: handled after; line: handled before",
  result_poverty: "Gain in poverty-exit areas",
  result_poverty_value: "{v} of the gain (they hold {o} of the output)",
  result_unserved: "Still unhandled",
  margin_t_handled: "{v} t handled",
  problem_mclp: "Cover the most output with p new sites",
  problem_lscp: "Fewest sites to reach a coverage target",
  problem_pmedian: "Shortest average travel with p sites",
  problem_pcenter: "Shortest worst-case travel with p sites",
  problem_cflp: "Lowest total cost within a budget (capacitated)",
  plan_type: "Facility type",
  plan_tier: "Tier",
  plan_classes: "Product classes",
  plan_p: "New sites (p)",
  plan_budget: "Budget",
  plan_budget_unit: "10,000 CNY; 0 = none",
  plan_target: "Coverage target",
  plan_threshold: "Time threshold",
  plan_threshold_hint: "minutes; empty = each class's own",
  plan_region: "Area",
  scope_province: "Whole province: {name}",
  scope_prefecture: "Whole prefecture: {name}",
  scope_county: "Whole county: {name}",
  scope_township: "Township: {name}",
  scope_village: "Village: {name}",
  plan_scope_map: "{scope} (as on the map)",
  plan_scope_counties: "Several counties…",
  plan_scope_counties_hint: "Pick the counties to plan ({n} chosen, at most {max}).",
  plan_need_county: "Choose at least one county.",
  plan_too_many_counties: "At most {max} counties: plan the prefecture or the province instead.",
  plan_split_hint: "Planned by county: p and the budget are shared out by each county's output, each county is solved on its own with its proven gap, then the sites are measured together.",
  plan_whole_hint: "This question is not a sum over producers, so the area is solved as one instance.",
  plan_time_limit: "Time limit",
  plan_time_limit_hint: "seconds (for each county of a plan split by county)",
  parts_title: "County parts",
  parts_hint: "Each county was solved on its own with its proven gap. Click one to zoom to it and list its sites.",
  parts_col_county: "County",
  parts_col_status: "Status",
  parts_col_objective: "Objective",
  parts_col_gap: "Proven gap",
  parts_col_sites: "Sites",
  parts_sites_in: "Sites in {name}",
  parts_all: "All counties",
  result_no_bound: "no bound",
  result_no_combined_bound: "no bound for the combined plan: see each county's below",
  plan_candidates: "Candidate sites",
  plan_scenario: "Scenario",
  cand_draft: "Saved as a draft of the scenario picked in the plan form; the shared candidates are unchanged",
  plan_scenario_shared: "Shared layers (no scenario)",
  plan_scenario_new: "New",
  plan_scenario_name: "Name of the new scenario",
  plan_scenario_hint: "A plan on a scenario sees its draft edits of candidates and facilities; compare plans of two scenarios in Compare",
  plan_scenario_apply: "Apply",
  plan_scenario_apply_hint: "Write this scenario's drafts to the shared candidates and facilities",
  plan_scenario_apply_confirm: "Apply the {n} draft edits of “{name}” to the shared layers? Every planner will see them.",
  plan_scenario_applied: "Applied {n} draft edits of “{name}” to the shared layers",
  cand_both: "Planners' sites and generated ones",
  cand_user: "Only planners' sites",
  cand_generated: "Only generated sites",
  plan_submit: "Run plan",
  plan_cancel: "Cancel",
  plan_need_class: "Choose at least one product class.",
  plan_status_queued: "Queued…",
  plan_status_running: "Solving… {s} s",
  plan_status_parts: "Solving by county: {n} of {total} counties finished… {s} s",
  plan_status_done: "Done in {s} s",
  plan_status_failed: "Failed",
  plan_status_cancelled: "Cancelled",
  plan_cancelling: "Cancelling…",
  plan_recent: "Recent plans",
  plan_none_yet: "No plans yet.",
  plan_open: "Show",

  result_title: "Result",
  result_sites: "Chosen sites",
  result_no_sites: "No new site is needed: the existing facilities already do what was asked.",
  result_objective: "Objective",
  result_bound: "Proven bound",
  result_gap: "Gap to the best possible",
  result_gap_value: "{v} (at most this far from the optimum)",
  result_before_after: "Before → after",
  result_newly_covered: "Newly covered",
  result_improved: "Producers with faster access",
  result_improved_15: "{n} by 15 min or more",
  result_mean_improvement: "Mean improvement",
  result_capacity_added: "Capacity added",
  result_build_cost: "Build cost",
  result_subsidy: "Subsidy estimate",
  result_by_class: "Coverage by class, before → after",
  result_notes: "Notes",
  result_export: "Export",
  result_export_geojson: "GeoJSON",
  result_export_csv: "CSV (project list)",
  result_export_xlsx: "Excel workbook",
  result_export_allocations: "Allocations (GeoJSON)",
  result_report: "Report",
  result_click_site: "Click a site for the reasons it was chosen.",
  result_show_all: "Show all on the map",
  result_instance: "{d} producers, {c} candidate sites, {e} existing facilities",
  result_solved_in: "solved in {s} s",

  expl_title: "Why here",
  expl_serves: "Serves {n} producers, {t} a year",
  expl_mostly: "mostly {cls}",
  expl_marginal: "Without it the plan loses {v}",
  expl_nearest: "Nearest existing facility: {name}, {min} away",
  expl_no_nearest: "No compatible facility nearby today",
  expl_runner_up: "Next-best site: {name}, {loss} worse",
  expl_runner_up_tie: "Equally good alternative: {name}",
  expl_runner_up_better: "{name} would do {gain} better here: the search reached its time limit before trying it; a longer time limit may improve the plan",
  expl_capacity: "Capacity",
  expl_cost: "Build cost {cost} (subsidy ≈ {sub})",
  expl_rank: "Site {n}",
  expl_part: "county part: {name}",

  compare_title: "Compare two plans",
  compare_intro: "Pick two finished plans to see them side by side (narrow each list to a scenario to compare scenarios); their sites show on the map in two colours.",
  compare_a: "Plan A",
  compare_b: "Plan B",
  compare_run: "Compare",
  compare_need_two: "Choose two different plans.",
  compare_metric: "Measure",
  compare_better: "better",
  cmp_problem: "Question",
  cmp_type: "Facility",
  cmp_classes: "Classes",
  cmp_sites: "New sites",
  cmp_build_cost: "Build cost",
  cmp_coverage: "Coverage rate",
  cmp_handling: "Handling rate",
  cmp_newly: "Newly covered",
  cmp_improved: "Faster access",
  cmp_capacity: "Capacity added",
  cmp_gap: "Proven gap",
  cmp_scenario: "Scenario",
  compare_scenario_all: "Any scenario",
  cmp_cost_per_t: "Cost per newly covered tonne",

  popup_output: "Output",
  popup_class: "Class",
  popup_operator: "Operator",
  popup_harvest: "Harvest by month",
  popup_type: "Type",
  popup_tier: "Tier",
  popup_status: "Status",
  popup_capacity: "Capacity",
  popup_accepts: "Accepts",
  popup_build_cost: "Build cost",
  popup_land_use: "Land use",
  popup_allowed_tiers: "Allowed tiers",
  popup_allowed_types: "Allowed types",
  popup_source: "Source",
  popup_kind: "Kind",
  popup_applies: "Applies to",
  popup_uncovered: "Uncovered output",
  popup_gap_producers: "Producers",
  popup_population: "Population",
  popup_area: "Area",
  popup_derived_area: "Area derived from the township's point (the part of the county nearer to it than to the other township points): not an official boundary.",
  legend_derived_areas: "Dashed: areas derived from township points, not official boundaries.",
  popup_show_kpi: "Show figures",
  popup_region: "Township",
  popup_access: "Access",
  popup_access_value: "{min} to {name}",
  popup_move_hint: "Drag to move",

  edit_candidates: "Edit candidate sites",
  edit_done: "Done editing",
  edit_hint: "Click the map to add a candidate site; drag a site to move it.",
  edit_need_token: "Adding and moving sites needs a planner token (Settings).",
  cand_new: "New candidate site",
  cand_name: "Name",
  cand_land_use: "Land use",
  cand_tiers: "Allowed tiers",
  cand_cost: "Build cost (10,000 CNY)",
  cand_save: "Add site",
  cand_added: "Candidate site {name} added.",
  cand_moved: "Candidate site {name} moved.",
  cand_default_name: "New site",
  cancel: "Cancel",
  close: "Close",
  save: "Save",
  clear: "Clear",

  settings_title: "Settings",
  settings_token: "API token",
  settings_token_help: "Planners paste the token their administrator gave them; it is sent as “Authorization: Bearer …” and kept in this browser only.",
  settings_basemap: "Basemap URL (optional)",
  settings_basemap_help: "An XYZ raster template such as https://tiles.example/{z}/{x}/{y}.png, or a TileJSON URL. Empty: county and township borders only (works offline).",
  settings_saved: "Settings saved.",

  err_title: "Problem",
  err_network: "The server cannot be reached. Check that coldchain is running, then try again.",
  err_status_400: "The request is not valid",
  err_status_401: "A token is needed",
  err_status_403: "Your token does not allow this",
  err_status_404: "Not found",
  err_status_409: "Conflict with existing data",
  err_status_413: "Too large",
  err_status_422: "The plan cannot be met",
  err_status_429: "Too many requests",
  err_status_500: "Server error",
  err_status_503: "Service unavailable",
  err_status_other: "Request failed ({status})",
  err_row: "row {row}: {field}: {reason}",
  err_more: "… and {n} more",
  err_auth_hint: "Open Settings to enter a planner token.",
  err_map: "The map could not draw: {msg}",
  err_webgl: "This browser cannot draw the map (WebGL is off or unsupported). The panels still work.",
  dismiss: "Dismiss",

  unit_t: "{v} t",
  unit_min: "{v} min",
  unit_km2: "{v} km²",
  unit_cny10k: "{v} × 10,000 CNY",
  unit_producers: "{v} producers",
  unit_pct: "{v} %",
  unit_pp: "{v} pp",
  unit_cny_per_t: "{v} CNY/t",
  n_sites: "{n} sites",
  n_parts: "{n} county parts",
  legend_show: "Legend",

  margin_t_covered: "{v} t covered",
  "margin_t·min": "{v} t·min of travel",
  margin_min: "{v} min of the longest access",
  margin_cost: "{v} × 10,000 CNY",
};

const zh = {
  app_title: "coldchain 冷链规划",
  app_subtitle: "产地冷链设施布局",
  lang_switch: "English",
  lang_switch_title: "Switch to English",
  settings: "设置",
  token_set: "已设置规划令牌",
  token_none: "只读（未设令牌）",
  tab_overview: "概览",
  tab_plan: "规划",
  tab_compare: "方案对比",
  loading: "加载中…",
  loading_map: "正在加载县域数据…",
  county: "县",
  whole_county: "全县",
  back_to_county: "返回全县",
  clicked_township_hint: "在地图上点击乡镇，查看该乡镇的指标。",
  whole_area: "全部区域",
  breadcrumb: "上级区域",
  region_picker: "查看下一级区域",
  region_picker_choose: "选择{level}…",

  kpi_title: "主要指标",
  kpi_coverage: "覆盖率",
  kpi_coverage_help: "在品类预冷时限内可达兼容设施的产量占比（吨）",
  kpi_handling: "产地低温处理率",
  kpi_handling_help: "可达兼容库容能处理的吨数 ÷ 总产量",
  kpi_capgap: "库容缺口",
  kpi_capgap_help: "高峰期在库量中可达库容容纳不下的部分",
  kpi_capgap_peak: "高峰在{month}",
  kpi_output: "产量",
  kpi_output_year: "年产量",
  kpi_producers: "生产主体",
  kpi_median_access: "到达时间中位数",
  kpi_no_access: "无可达设施",
  kpi_per_year: "{v}/年",
  chart_title: "各月在库量",
  chart_handled: "可达库容可容纳",
  chart_shortfall: "缺口",
  chart_hint: "点击月份查看当月缺口",
  class_table_title: "分品类",
  col_class: "品类",
  col_output: "产量",
  col_coverage: "覆盖率",
  col_handling: "处理率",

  filters_title: "筛选",
  filter_classes: "产品品类",
  filter_zones: "温区",
  filter_all: "全部",
  filter_none_match: "所选温区没有可储存的品类。",
  filter_clear: "清除筛选",

  layers_title: "图层",
  layer_townships: "乡镇",
  layer_producers: "生产主体",
  layer_facilities: "设施",
  layer_candidates: "候选选址",
  layer_exclusions: "禁建区",
  layer_gaps: "缺口六边形",
  layer_access: "服务范围",
  layer_plan: "规划结果",
  layer_basemap: "底图",
  legend_producer_size: "大小：年产量",
  legend_gap: "未覆盖产量",
  legend_access_covered: "在品类时限内",
  legend_access_uncovered: "过远：未覆盖",
  legend_access_note: "每个生产主体连到最近的兼容设施",
  legend_plan_site: "新选址（名次）",
  legend_plan_lines: "所服务的生产主体",
  legend_existing: "已建",
  legend_under_construction: "在建",
  legend_planned: "已规划",
  legend_proposed: "建议新建",
  legend_tier_size: "大小：层级（田头 → 国家级）",
  legend_candidate: "候选选址",
  legend_tiles: "矢量瓦片",

  month: "月份",
  month_all: "全年",
  month_gap_summary: "{n} 个六边形内未覆盖 {t}",
  month_gap_none: "没有未覆盖的产量",
  months_short: "1月,2月,3月,4月,5月,6月,7月,8月,9月,10月,11月,12月",
  months_long: "1月,2月,3月,4月,5月,6月,7月,8月,9月,10月,11月,12月",

  plan_title: "新建规划",
  plan_intro: "新设施建在哪里？引擎给出选址、每个选址的理由，以及与最优解差距的证明上界。",
  plan_name: "名称（可选）",
  plan_problem: "规划问题",
  include_planned: "计入规划设施（已采纳方案）",
  include_planned_help: "按已采纳方案建成后的情况统计",
  result_adopt: "采纳：加入规划设施",
  result_adopted: "已采纳：新增 {n} 个规划设施，指标已计入",
  problem_capacity: "预算内处理最多产量，或以最低成本达到处理率目标",
  plan_mode: "规划目标",
  mode_budget: "预算内处理吨数最多",
  mode_target: "达到处理率目标成本最低",
  plan_handling_target: "目标处理率",
  plan_priority: "脱贫地区权重",
  plan_priority_hint: "1 = 与其他地区相同；2 = 其吨数按两倍计",
  result_handling_by_class: "分品类处理率：规划前 → 规划后",
  result_months: "各月库存与可处理库存",
  result_months_legend: "柱：库存；深色：规划后可处理；线：规划前可处理",
  result_poverty: "脱贫地区获益",
  result_poverty_value: "占新增效益的 {v}（其产量占 {o}）",
  result_unserved: "仍未处理",
  margin_t_handled: "{v} 吨处理量",
  problem_mclp: "用 p 个新点覆盖最多产量",
  problem_lscp: "达到覆盖目标所需的最少选址",
  problem_pmedian: "p 个新点使平均运距最短",
  problem_pcenter: "p 个新点使最远运距最短",
  problem_cflp: "预算内总成本最低（考虑库容）",
  plan_type: "设施类型",
  plan_tier: "层级",
  plan_classes: "产品品类",
  plan_p: "新建数量（p）",
  plan_budget: "预算",
  plan_budget_unit: "万元；0 表示不限",
  plan_target: "覆盖目标",
  plan_threshold: "时间阈值",
  plan_threshold_hint: "分钟；留空则用各品类自己的时限",
  plan_region: "范围",
  scope_province: "全省：{name}",
  scope_prefecture: "全市：{name}",
  scope_county: "全县：{name}",
  scope_township: "乡镇：{name}",
  scope_village: "村：{name}",
  plan_scope_map: "{scope}（地图所选）",
  plan_scope_counties: "多个县…",
  plan_scope_counties_hint: "选择要规划的县（已选 {n} 个，最多 {max} 个）。",
  plan_need_county: "请至少选择一个县。",
  plan_too_many_counties: "最多 {max} 个县：请改为规划整个地市或全省。",
  plan_split_hint: "按县分解：p 与预算按各县产量分配，各县分别求解并给出各自的证明差距，再统一测算全部选址。",
  plan_whole_hint: "该问题的目标不是各经营主体之和，因此整个范围作为一个实例求解。",
  plan_time_limit: "时间上限",
  plan_time_limit_hint: "秒（按县分解时为每个县的时间）",
  parts_title: "各县部分",
  parts_hint: "各县分别求解并给出各自的证明差距。点击某县可缩放至该县并列出其选址。",
  parts_col_county: "县",
  parts_col_status: "状态",
  parts_col_objective: "目标值",
  parts_col_gap: "证明差距",
  parts_col_sites: "选址",
  parts_sites_in: "{name}的选址",
  parts_all: "全部县",
  result_no_bound: "无界",
  result_no_combined_bound: "合并方案无整体界：见下方各县",
  plan_candidates: "候选选址",
  plan_scenario: "情景",
  cand_draft: "已保存为规划表单所选情景的草稿；共享候选点未改变",
  plan_scenario_shared: "共享图层（不用情景）",
  plan_scenario_new: "新建",
  plan_scenario_name: "新情景名称",
  plan_scenario_hint: "在情景上运行的方案会使用该情景对候选点与设施的草稿修改；在“对比”中并排比较两个情景的方案",
  plan_scenario_apply: "应用",
  plan_scenario_apply_hint: "将该情景的草稿修改写入共享的候选点与设施图层",
  plan_scenario_apply_confirm: "将“{name}”的 {n} 项草稿修改应用到共享图层？所有规划人员都会看到。",
  plan_scenario_applied: "已将“{name}”的 {n} 项草稿修改应用到共享图层",
  cand_both: "规划人员选址与自动生成选址",
  cand_user: "仅规划人员选址",
  cand_generated: "仅自动生成选址",
  plan_submit: "开始规划",
  plan_cancel: "取消",
  plan_need_class: "请至少选择一个产品品类。",
  plan_status_queued: "排队中…",
  plan_status_running: "求解中… {s} 秒",
  plan_status_parts: "按县求解：{total} 个县中已完成 {n} 个… {s} 秒",
  plan_status_done: "完成，用时 {s} 秒",
  plan_status_failed: "失败",
  plan_status_cancelled: "已取消",
  plan_cancelling: "正在取消…",
  plan_recent: "最近的规划",
  plan_none_yet: "还没有规划。",
  plan_open: "查看",

  result_title: "规划结果",
  result_sites: "选定的选址",
  result_no_sites: "无需新建：现有设施已满足要求。",
  result_objective: "目标值",
  result_bound: "证明的界",
  result_gap: "与最优解的差距",
  result_gap_value: "{v}（距最优解至多这么远）",
  result_before_after: "规划前 → 规划后",
  result_newly_covered: "新增覆盖",
  result_improved: "到达时间缩短的生产主体",
  result_improved_15: "其中 {n} 个缩短 15 分钟以上",
  result_mean_improvement: "平均缩短",
  result_capacity_added: "新增库容",
  result_build_cost: "建设投资",
  result_subsidy: "补贴估算",
  result_by_class: "分品类覆盖：规划前 → 规划后",
  result_notes: "说明",
  result_export: "导出",
  result_export_geojson: "GeoJSON",
  result_export_csv: "CSV（项目清单）",
  result_export_xlsx: "Excel 工作簿",
  result_export_allocations: "分配关系（GeoJSON）",
  result_report: "规划报告",
  result_click_site: "点击选址查看选择理由。",
  result_show_all: "在地图上全部显示",
  result_instance: "{d} 个生产主体，{c} 个候选选址，{e} 个现有设施",
  result_solved_in: "求解用时 {s} 秒",

  expl_title: "为什么选这里",
  expl_serves: "服务 {n} 个生产主体，每年 {t}",
  expl_mostly: "主要是{cls}",
  expl_marginal: "去掉它，规划将损失 {v}",
  expl_nearest: "最近的现有设施：{name}，距离 {min}",
  expl_no_nearest: "目前附近没有兼容设施",
  expl_runner_up: "次优选址：{name}，差 {loss}",
  expl_runner_up_tie: "同样好的备选：{name}",
  expl_runner_up_better: "{name} 在此处可多 {gain}：搜索在尝试它之前已到时间上限；延长时间上限可能得到更好的方案",
  expl_capacity: "库容",
  expl_cost: "建设投资 {cost}（补贴约 {sub}）",
  expl_rank: "第 {n} 个选址",
  expl_part: "县级部分：{name}",

  compare_title: "对比两个方案",
  compare_intro: "选择两个已完成的规划并排对比（可按情景筛选以对比两个情景）；两者的选址以两种颜色显示在地图上。",
  compare_a: "方案 A",
  compare_b: "方案 B",
  compare_run: "对比",
  compare_need_two: "请选择两个不同的规划。",
  compare_metric: "指标",
  compare_better: "更优",
  cmp_problem: "规划问题",
  cmp_type: "设施",
  cmp_classes: "品类",
  cmp_sites: "新建数量",
  cmp_build_cost: "建设投资",
  cmp_coverage: "覆盖率",
  cmp_handling: "处理率",
  cmp_newly: "新增覆盖",
  cmp_improved: "到达时间缩短",
  cmp_capacity: "新增库容",
  cmp_gap: "证明的差距",
  cmp_scenario: "情景",
  compare_scenario_all: "全部情景",
  cmp_cost_per_t: "每吨新增覆盖的投资",

  popup_output: "产量",
  popup_class: "品类",
  popup_operator: "经营主体",
  popup_harvest: "各月采收",
  popup_type: "类型",
  popup_tier: "层级",
  popup_status: "状态",
  popup_capacity: "库容",
  popup_accepts: "接收品类",
  popup_build_cost: "建设投资",
  popup_land_use: "用地性质",
  popup_allowed_tiers: "允许层级",
  popup_allowed_types: "允许类型",
  popup_source: "来源",
  popup_kind: "类别",
  popup_applies: "适用层级",
  popup_uncovered: "未覆盖产量",
  popup_gap_producers: "生产主体",
  popup_population: "人口",
  popup_area: "面积",
  popup_derived_area: "该范围由乡镇驻地点推算（县域内离该点比离其他乡镇点更近的部分），并非官方界线。",
  legend_derived_areas: "虚线：由乡镇驻地点推算的范围，并非官方界线。",
  popup_show_kpi: "查看指标",
  popup_region: "乡镇",
  popup_access: "到达",
  popup_access_value: "到 {name} {min}",
  popup_move_hint: "拖动可移动",

  edit_candidates: "编辑候选选址",
  edit_done: "完成编辑",
  edit_hint: "点击地图添加候选选址；拖动选址可移动位置。",
  edit_need_token: "添加和移动选址需要规划令牌（见设置）。",
  cand_new: "新候选选址",
  cand_name: "名称",
  cand_land_use: "用地性质",
  cand_tiers: "允许层级",
  cand_cost: "建设投资（万元）",
  cand_save: "添加选址",
  cand_added: "已添加候选选址 {name}。",
  cand_moved: "已移动候选选址 {name}。",
  cand_default_name: "新选址",
  cancel: "取消",
  close: "关闭",
  save: "保存",
  clear: "清除",

  settings_title: "设置",
  settings_token: "API 令牌",
  settings_token_help: "规划人员粘贴管理员发放的令牌；它以 “Authorization: Bearer …” 发送，只保存在本浏览器中。",
  settings_basemap: "底图地址（可选）",
  settings_basemap_help: "XYZ 栅格模板，例如 https://tiles.example/{z}/{x}/{y}.png，或 TileJSON 地址。留空：只显示县、乡镇边界（可离线使用）。",
  settings_saved: "设置已保存。",

  err_title: "出现问题",
  err_network: "无法连接服务器。请确认 coldchain 正在运行后重试。",
  err_status_400: "请求无效",
  err_status_401: "需要令牌",
  err_status_403: "令牌权限不足",
  err_status_404: "未找到",
  err_status_409: "与现有数据冲突",
  err_status_413: "内容过大",
  err_status_422: "无法满足规划要求",
  err_status_429: "请求过于频繁",
  err_status_500: "服务器错误",
  err_status_503: "服务暂不可用",
  err_status_other: "请求失败（{status}）",
  err_row: "第 {row} 行：{field}：{reason}",
  err_more: "……另有 {n} 条",
  err_auth_hint: "请打开“设置”输入规划令牌。",
  err_map: "地图无法绘制：{msg}",
  err_webgl: "此浏览器无法绘制地图（WebGL 未开启或不受支持）。面板仍可使用。",
  dismiss: "关闭",

  unit_t: "{v} 吨",
  unit_min: "{v} 分钟",
  unit_km2: "{v} 平方公里",
  unit_cny10k: "{v} 万元",
  unit_producers: "{v} 个生产主体",
  unit_pct: "{v}%",
  unit_pp: "{v} 个百分点",
  unit_cny_per_t: "{v} 元/吨",
  n_sites: "{n} 个选址",
  n_parts: "{n} 个县级部分",
  legend_show: "图例",

  margin_t_covered: "{v} 吨覆盖量",
  "margin_t·min": "{v} 吨·分钟运距",
  margin_min: "最远到达时间 {v} 分钟",
  margin_cost: "{v} 万元",
};

// Labels of the API's vocabularies.
const vocab = {
  facility_type: {
    ventilated_store: ["Ventilated store", "通风贮藏库"],
    cold_room: ["Cold room", "冷藏库"],
    ca_store: ["CA store", "气调库"],
    precooling: ["Pre-cooling station", "预冷站"],
    quick_freeze: ["Quick-freeze plant", "速冻库"],
    mobile_cold_room: ["Mobile cold room", "移动冷库"],
    collection_centre: ["Collection centre", "产地集配中心"],
    county_logistics_centre: ["County logistics centre", "县域冷链物流中心"],
    backbone_base: ["Backbone base", "骨干冷链物流基地"],
    processing_park: ["Processing park", "农产品加工园区"],
    science_park: ["Science park", "农业科技园区"],
    demonstration_park: ["Demonstration park", "示范园区"],
  },
  level: {
    province: ["Province", "省"],
    prefecture: ["Prefecture", "地市"],
    county: ["County", "县"],
    township: ["Township", "乡镇"],
    village: ["Village", "村"],
  },
  tier: {
    field: ["Field", "田头"],
    township: ["Township", "乡镇"],
    county: ["County", "县级"],
    prefecture: ["Prefecture", "地市级"],
    national: ["National", "国家级"],
  },
  status: {
    existing: ["Existing", "已建"],
    under_construction: ["Under construction", "在建"],
    planned: ["Planned", "已规划"],
    proposed: ["Proposed", "建议新建"],
  },
  zone: {
    frozen: ["Frozen", "冷冻"],
    chilled: ["Chilled", "冷藏"],
    ca: ["Controlled atmosphere", "气调"],
    cool: ["Cool", "阴凉"],
    ambient: ["Ambient", "常温"],
  },
  kind: {
    basic_farmland: ["Basic farmland", "永久基本农田"],
    ecological_redline: ["Ecological red line", "生态保护红线"],
    flood: ["Flood zone", "洪涝区"],
    water_source: ["Water-source protection", "水源保护区"],
  },
  operator_type: {
    family_farm: ["Family farm", "家庭农场"],
    cooperative: ["Cooperative", "合作社"],
    enterprise: ["Enterprise", "企业"],
    village_collective: ["Village collective", "村集体"],
    smallholders: ["Smallholders", "散户"],
  },
  land_use: {
    farmland: ["Farmland", "农用地"],
    construction: ["Construction land", "建设用地"],
    other: ["Other", "其他"],
  },
  source: {
    user: ["Planner", "规划人员"],
    generated: ["Generated", "自动生成"],
  },
  problem: {
    mclp: ["Maximum coverage", "最大覆盖"],
    lscp: ["Set covering", "集合覆盖"],
    pmedian: ["p-median", "p-中位"],
    pcenter: ["p-center", "p-中心"],
    cflp: ["Capacitated cost", "有容量成本最小"],
    capacity: ["Capacity (handling rate)", "库容缺口（处理率）"],
  },
  settlement: {
    county_seat: ["County seat", "县城"],
    town: ["Town", "集镇"],
    central_village: ["Central village", "中心村"],
    village: ["Village", "村"],
  },
  plan_status: {
    queued: ["Queued", "排队中"],
    running: ["Running", "求解中"],
    done: ["Done", "已完成"],
    failed: ["Failed", "失败"],
    skipped: ["Skipped (no share)", "跳过（未分得份额）"],
  },
};

// Product class names when /api/v1/classes has none.
const classNames = {
  leafy_vegetable: ["Leafy vegetables", "叶菜"],
  hardy_vegetable: ["Hardy vegetables", "耐储蔬菜"],
  berry: ["Berries", "浆果"],
  fruit: ["Fruit", "水果"],
  citrus: ["Citrus", "柑橘"],
  meat: ["Meat", "肉类"],
  aquatic: ["Aquatic products", "水产品"],
  dairy: ["Dairy (raw milk)", "生鲜乳"],
  flower: ["Flowers", "花卉"],
  tea: ["Tea", "茶叶"],
  mushroom: ["Mushrooms", "食用菌"],
  herbs: ["Herbs", "中药材"],
};

const dicts = { en, zh };
let lang = "en";
let classes = {}; // code -> {name_en, name_zh}
const listeners = [];

/** The current language: "en" or "zh". */
export function getLang() {
  return lang;
}

/** Sets the language and tells every listener. */
export function setLang(l) {
  lang = l === "zh" ? "zh" : "en";
  document.documentElement.lang = lang === "zh" ? "zh-CN" : "en";
  for (const f of listeners) f(lang);
}

/** Registers f to run after every language change. */
export function onLangChange(f) {
  listeners.push(f);
}

/** Remembers the product classes' names from /api/v1/classes. */
export function setClasses(list) {
  classes = {};
  for (const c of list) classes[c.code] = c;
}

/** Translates key, filling {name} placeholders from params. */
export function t(key, params) {
  let s = dicts[lang][key];
  if (s === undefined) s = en[key];
  if (s === undefined) s = key;
  if (params) s = s.replace(/\{(\w+)\}/g, (m, k) => (params[k] === undefined ? m : String(params[k])));
  return s;
}

/** Whether the current language has key. */
export function has(key) {
  return dicts[lang][key] !== undefined;
}

/** Label of a vocabulary value (facility_type, tier, zone, …). */
export function label(kind, value) {
  if (value === null || value === undefined || value === "") return "–";
  if (kind === "class") return className(value);
  const v = vocab[kind] && vocab[kind][value];
  if (!v) return String(value).replaceAll("_", " ");
  return lang === "zh" ? v[1] : v[0];
}

/** The values of a vocabulary, in order. */
export function values(kind) {
  return Object.keys(vocab[kind] || {});
}

/** A product class's name in the current language. */
export function className(code) {
  const c = classes[code];
  if (c) {
    const n = lang === "zh" ? c.name_zh : c.name_en;
    if (n) return n;
  }
  const d = classNames[code];
  if (d) return lang === "zh" ? d[1] : d[0];
  return String(code).replaceAll("_", " ");
}

/** A product class's name without its parenthesised examples. */
export function classShort(code) {
  return className(code).replace(/\s*[（(].*[)）]\s*$/, "") || className(code);
}

/** Short and long month names, 1-based (index 0: all year). */
export function monthName(m, long) {
  if (!m) return t("month_all");
  return t(long ? "months_long" : "months_short").split(",")[m - 1];
}

function locale() {
  return lang === "zh" ? "zh-CN" : "en-GB";
}

/** Formats a number with digits after the point at most. */
export function fmtNum(v, digits = 0) {
  if (v === null || v === undefined || Number.isNaN(v)) return "–";
  return new Intl.NumberFormat(locale(), { maximumFractionDigits: digits, minimumFractionDigits: 0 }).format(v);
}

/** Formats tonnes, shortening large values. */
export function fmtT(v) {
  if (v === null || v === undefined || Number.isNaN(v)) return "–";
  const a = Math.abs(v);
  if (lang === "zh" && a >= 10000) return t("unit_t", { v: fmtNum(v / 10000, a >= 1e6 ? 0 : 1) + " 万" }).replace(" 万 吨", " 万吨");
  return t("unit_t", { v: fmtNum(v, a < 10 ? 1 : 0) });
}

/** Formats a share (0–1) as a percentage. */
export function fmtPct(v, digits = 1) {
  if (v === null || v === undefined || Number.isNaN(v)) return "–";
  return t("unit_pct", { v: fmtNum(v * 100, digits) });
}

/** Formats a difference of shares as percentage points, signed. */
export function fmtPP(v) {
  const s = (v > 0 ? "+" : v < 0 ? "−" : "±") + fmtNum(Math.abs(v * 100), 1);
  return t("unit_pp", { v: s });
}

/** Formats minutes. */
export function fmtMin(v) {
  if (v === null || v === undefined || Number.isNaN(v)) return "–";
  return t("unit_min", { v: fmtNum(v, v < 10 ? 1 : 0) });
}

/** Formats money in 10,000 CNY. */
export function fmtCNY(v) {
  if (v === null || v === undefined || Number.isNaN(v)) return "–";
  return t("unit_cny10k", { v: fmtNum(v, v < 10 ? 1 : 0) });
}

/** Formats a plan's marginal gain with its unit. */
export function fmtMargin(v, unitLabel) {
  const n = fmtNum(v, Math.abs(v) < 10 ? 1 : 0);
  if (unitLabel === "t covered") return t("margin_t_covered", { v: n });
  if (unitLabel === "t handled") return t("margin_t_handled", { v: n });
  if (unitLabel === "t·min") return t("margin_t·min", { v: n });
  if (unitLabel && unitLabel.startsWith("min")) return t("margin_min", { v: n });
  if (unitLabel && unitLabel.startsWith("10,000 CNY")) return t("margin_cost", { v: n });
  return `${n} ${unitLabel || ""}`.trim();
}

/** Keys present in one language but not the other (for tests). */
export function missingKeys() {
  const out = [];
  for (const k of Object.keys(en)) if (!(k in zh)) out.push("zh:" + k);
  for (const k of Object.keys(zh)) if (!(k in en)) out.push("en:" + k);
  return out;
}
