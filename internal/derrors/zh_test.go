package derrors

import "testing"

// TestChineseFilterMessages: the OGC filter, CRS and sortby problems read
// whole in Chinese, keeping names and figures.
func TestChineseFilterMessages(t *testing.T) {
	for en, zh := range map[string]string{
		`filter: unknown property "secret" (queryables: id, name, geometry)`:                           `filter：未知属性 "secret"（可查询属性：id, name, geometry）`,
		`filter: function pg_sleep at 0 is not supported (supported: comparisons)`:                     "filter：不支持函数 pg_sleep（位置 0）；可用比较、AND/OR/NOT、LIKE、BETWEEN、IN、IS NULL 和空间谓词 S_INTERSECTS 等",
		`filter: annual_output_t >: annual_output_t is a number, so compare it with a number, not 'a'`: "filter：annual_output_t 的类型为 number，请用 number 与之比较（>），而不是 'a'",
		`filter: nested more than 12 levels deep`:                                                      "filter：嵌套超过 12 层，请简化",
		`crs: unsupported CRS "EPSG:2000" (supported: a, b)`:                                           `crs：不支持的坐标参考系 "EPSG:2000"（支持：a, b）`,
		`sortby: unknown property "x" (sortable: id, name; prefix - for descending)`:                   `sortby：未知属性 "x"（可排序：id, name；前加 - 表示降序）`,
	} {
		if got := Chinese(en); got != zh {
			t.Errorf("%s:\n got %s\nwant %s", en, got, zh)
		}
	}
}
