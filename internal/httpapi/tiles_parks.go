package httpapi

// parkTileLayers lists the park-siting tile layers (suitability); filled by
// the park-siting work.
func parkTileLayers() []tileLayer { return nil }
