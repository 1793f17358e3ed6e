package httpapi

// parksOpenAPI documents the park-siting routes; filled by the park-siting
// work.
func (s *Server) parksOpenAPI(d *apiDoc) {}
