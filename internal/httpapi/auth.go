package httpapi

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"strings"

	"github.com/go-chi/chi/v5"
	"github.com/go-chi/cors"
	"github.com/go-chi/httprate"

	"github.com/coldchain/coldchain/internal/auth"
)

// Roles of API tokens, weakest first (see package auth).
const (
	RoleViewer  = auth.Viewer
	RolePlanner = auth.Planner
	RoleAdmin   = auth.Admin
)

// caller is what authenticate learnt about a request: its token, or nil
// for an anonymous reader.
type caller struct {
	token *auth.Token
}

type callerKey struct{}

// callerOf returns the request's caller and whether authenticate ran.
func callerOf(ctx context.Context) (caller, bool) {
	c, ok := ctx.Value(callerKey{}).(caller)
	return c, ok
}

// unauthorized is a 401 problem; authenticate and require set the
// WWW-Authenticate header that goes with it.
func unauthorized(w http.ResponseWriter, msg, bearerError string) error {
	h := `Bearer realm="coldchain"`
	if bearerError != "" {
		h += `, error="` + bearerError + `"`
	}
	w.Header().Set("WWW-Authenticate", h)
	return &statusError{status: http.StatusUnauthorized, msg: msg}
}

// authenticate identifies the caller from an "Authorization: Bearer" API
// token. A request without one reads anonymously unless ReadAuth is set
// (401); a malformed, unknown or revoked token is refused (401) even where
// none is needed, so that a client learns its token is bad. With no token
// store (Tokens nil) every request passes.
func (s *Server) authenticate(next http.Handler) http.Handler {
	return s.handle(func(w http.ResponseWriter, r *http.Request) error {
		if s.Tokens == nil {
			next.ServeHTTP(w, r)
			return nil
		}
		var c caller
		h := r.Header.Get("Authorization")
		switch {
		case h == "" && s.ReadAuth:
			return unauthorized(w, "an API token is required: send Authorization: Bearer <token>", "")
		case h != "":
			scheme, text, _ := strings.Cut(h, " ")
			text = strings.TrimSpace(text)
			if !strings.EqualFold(scheme, "Bearer") || text == "" {
				return unauthorized(w, "want Authorization: Bearer <token>", "invalid_request")
			}
			t, err := s.Tokens.Verify(r.Context(), text)
			if errors.Is(err, auth.ErrInvalidToken) {
				return unauthorized(w, "invalid or revoked API token", "invalid_token")
			}
			if err != nil {
				return err
			}
			c.token = t
		}
		next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), callerKey{}, c)))
		return nil
	})
}

// require admits callers whose token has at least role: no token is 401,
// a weaker one 403. It authenticates the request itself when the route
// is outside authenticate. With no token store every caller is admitted.
func (s *Server) require(role string) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		check := s.handle(func(w http.ResponseWriter, r *http.Request) error {
			c, _ := callerOf(r.Context())
			switch {
			case c.token == nil:
				return unauthorized(w, fmt.Sprintf("this needs an API token with the %s role: send Authorization: Bearer <token>", role), "")
			case !auth.Allows(c.token.Role, role):
				w.Header().Set("WWW-Authenticate", `Bearer realm="coldchain", error="insufficient_scope"`)
				return &statusError{status: http.StatusForbidden, msg: fmt.Sprintf("this needs the %s role; the token has %s", role, c.token.Role)}
			}
			next.ServeHTTP(w, r)
			return nil
		})
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if s.Tokens == nil {
				next.ServeHTTP(w, r)
				return
			}
			if _, ok := callerOf(r.Context()); !ok {
				s.authenticate(check).ServeHTTP(w, r)
				return
			}
			check.ServeHTTP(w, r)
		})
	}
}

// errNoTokens answers token management on a server without a token store.
func errNoTokens() error {
	return &statusError{status: http.StatusNotFound, msg: "API tokens are not enabled on this server"}
}

func (s *Server) listTokens(w http.ResponseWriter, r *http.Request) error {
	if s.Tokens == nil {
		return errNoTokens()
	}
	list, err := s.Tokens.List(r.Context())
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, map[string]any{"tokens": list})
}

func (s *Server) createToken(w http.ResponseWriter, r *http.Request) error {
	if s.Tokens == nil {
		return errNoTokens()
	}
	var req struct {
		Role string `json:"role"`
		Name string `json:"name"`
	}
	if err := decodeJSON(w, r, 4096, `token request (want {"role": "viewer|planner|admin", "name": "..."})`, &req); err != nil {
		return err
	}
	t, text, err := s.Tokens.Create(r.Context(), req.Role, req.Name)
	if err != nil {
		return err
	}
	w.Header().Set("Location", "/api/v1/tokens/"+t.ID)
	w.Header().Set("Cache-Control", "no-store")
	return writeJSON(w, http.StatusCreated, struct {
		auth.Token
		Secret string `json:"token"`
	}{t, text})
}

func (s *Server) revokeToken(w http.ResponseWriter, r *http.Request) error {
	if s.Tokens == nil {
		return errNoTokens()
	}
	if err := s.Tokens.Revoke(r.Context(), chi.URLParam(r, "id")); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// limitPlans caps plan submissions per token (per client address when
// tokens are off) at PlanRate per PlanRateWindow; over it the answer is a
// 429 problem with Retry-After. Each call makes an independent limiter:
// call it once per route.
func (s *Server) limitPlans() func(http.Handler) http.Handler {
	if s.PlanRate <= 0 || s.PlanRateWindow <= 0 {
		return func(next http.Handler) http.Handler { return next }
	}
	return httprate.LimitBy(s.PlanRate, s.PlanRateWindow,
		func(r *http.Request) (string, error) {
			if c, _ := callerOf(r.Context()); c.token != nil {
				return "token:" + c.token.ID, nil
			}
			host, _, err := net.SplitHostPort(r.RemoteAddr)
			if err != nil {
				host = r.RemoteAddr
			}
			return "addr:" + httprate.CanonicalizeIP(host), nil
		},
		httprate.WithLimitHandler(func(w http.ResponseWriter, r *http.Request) {
			s.writeError(w, r, &statusError{status: http.StatusTooManyRequests,
				msg: fmt.Sprintf("at most %d plans per %s per token; try again later", s.PlanRate, s.PlanRateWindow)})
		}),
		httprate.WithErrorHandler(func(w http.ResponseWriter, r *http.Request, err error) {
			s.writeError(w, r, fmt.Errorf("plan rate limit: %w", err))
		}),
	)
}

// corsHandler answers cross-origin requests from CORSOrigins (browsers
// running a map or a notebook elsewhere). Without origins there is no
// CORS: browsers keep other sites from calling the API.
func (s *Server) corsHandler() func(http.Handler) http.Handler {
	if len(s.CORSOrigins) == 0 {
		return func(next http.Handler) http.Handler { return next }
	}
	return cors.Handler(cors.Options{
		AllowedOrigins: s.CORSOrigins,
		AllowedMethods: []string{http.MethodGet, http.MethodHead, http.MethodPost, http.MethodPut, http.MethodDelete},
		AllowedHeaders: []string{"Authorization", "Content-Type", "Accept", "If-None-Match"},
		ExposedHeaders: []string{"ETag", "Location", "Link", "Retry-After", "X-RateLimit-Limit", "X-RateLimit-Remaining"},
		MaxAge:         600,
	})
}
