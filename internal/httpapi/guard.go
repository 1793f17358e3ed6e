package httpapi

import (
	"context"
	"net/http"
	"strings"
	"sync"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/coldchain/coldchain/internal/derrors"
)

// refuseNUL answers 400 to a URL whose path or query holds a NUL
// character (%00), which no id, name or filter may contain and PostgreSQL
// cannot store.
func (s *Server) refuseNUL(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.ContainsRune(r.URL.Path, 0) {
			s.writeError(w, r, derrors.Invalid("the URL path holds a NUL character (%%00): remove it"))
			return
		}
		for name, vals := range r.URL.Query() {
			for _, v := range vals {
				if strings.ContainsRune(name+v, 0) {
					s.writeError(w, r, derrors.Invalid("query parameter %q holds a NUL character (%%00): remove it", strings.ReplaceAll(name, "\x00", "")))
					return
				}
			}
		}
		next.ServeHTTP(w, r)
	})
}

// readiness keeps one database connection outside the pool for /readyz.
type readiness struct {
	mu   sync.Mutex
	conn *pgx.Conn
}

// ping checks the database on the readiness connection, opening it (with
// the pool's settings) when there is none or the last one broke.
func (rd *readiness) ping(ctx context.Context, pool *pgxpool.Pool) error {
	rd.mu.Lock()
	defer rd.mu.Unlock()
	if rd.conn == nil || rd.conn.IsClosed() {
		c, err := pgx.ConnectConfig(ctx, pool.Config().ConnConfig.Copy())
		if err != nil {
			return err
		}
		rd.conn = c
	}
	if err := rd.conn.Ping(ctx); err != nil {
		rd.conn.Close(context.Background())
		rd.conn = nil
		return err
	}
	return nil
}

// Close releases the server's own database connection (the pool is the
// caller's).
func (s *Server) Close() {
	s.ready.mu.Lock()
	defer s.ready.mu.Unlock()
	if s.ready.conn != nil {
		s.ready.conn.Close(context.Background())
		s.ready.conn = nil
	}
}
