package locate

import (
	"fmt"
	"math"
)

// gapMet reports whether the proven gap between obj and bound is at most
// stopGap percent (Params.StopGap); a stopGap of 0 is never met, so that the
// search goes on until the gap is closed or time runs out.
func gapMet(stopGap, obj, bound float64) bool {
	return stopGap > 0 && GapPercent(obj, bound) <= stopGap
}

// checkStopGap rejects a StopGap that is negative or not a number.
func checkStopGap(g float64) error {
	if math.IsNaN(g) || g < 0 || g > 100 {
		return fmt.Errorf("stop gap %v%% must lie in [0, 100]", g)
	}
	return nil
}
