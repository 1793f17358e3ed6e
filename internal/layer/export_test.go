package layer

// SetLoadThresholds sets the set-based load's thresholds for a test and
// returns a function that restores them.
func SetLoadThresholds(bulkRows, indexMin int64) (restore func()) {
	b, i := bulkMinRows, regionIndexMin
	bulkMinRows, regionIndexMin = bulkRows, indexMin
	return func() { bulkMinRows, regionIndexMin = b, i }
}
