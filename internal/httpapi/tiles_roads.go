package httpapi

// roadTileLayers lists the road network's tile layers (roads, service
// areas); filled by the road-network work.
func roadTileLayers() []tileLayer { return nil }
