package httpapi

// roadsOpenAPI documents the road-network routes; filled by the
// road-network work.
func (s *Server) roadsOpenAPI(d *apiDoc) {}
