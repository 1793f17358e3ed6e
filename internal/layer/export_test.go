package layer

// SetLoadThresholds sets the set-based load's thresholds for a test and
// returns a function that restores them.
func SetLoadThresholds(bulkRows, indexMin int64) (restore func()) {
	b, i := bulkMinRows, regionIndexMin
	bulkMinRows, regionIndexMin = bulkRows, indexMin
	return func() { bulkMinRows, regionIndexMin = b, i }
}

// SetLevelRows sets the largest batch whose region codes are found level
// by level, for a test, and returns a function that restores it.
func SetLevelRows(n int64) (restore func()) {
	old := levelRowsMax
	levelRowsMax = n
	return func() { levelRowsMax = old }
}
