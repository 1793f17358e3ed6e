// Package auth keeps coldchain's API tokens and their roles (docs/design.md#security).
//
// A token reads cc_<id>_<secret>: id is 16 hex digits naming the stored row,
// secret 43 base64url characters (256 random bits). The database keeps only
// the SHA-256 hash of the whole token; Verify finds the row by id and
// compares hashes in constant time. A fast hash is enough because the
// secret is random, not a password: there is nothing to guess.
//
// Roles, weakest first: viewer (read), planner (write layers, run plans),
// admin (manage tokens). A stronger role may do everything a weaker one may.
package auth

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/coldchain/coldchain/internal/derrors"
	"github.com/coldchain/coldchain/internal/postgres"
)

// Roles of API tokens, weakest first.
const (
	Viewer  = "viewer"
	Planner = "planner"
	Admin   = "admin"
)

// Roles returns the roles, weakest first.
func Roles() []string { return []string{Viewer, Planner, Admin} }

// Allows reports whether a token of role have may do what needs role need.
// Unknown roles allow nothing.
func Allows(have, need string) bool {
	h, n := slices.Index(Roles(), have), slices.Index(Roles(), need)
	return h >= 0 && n >= 0 && h >= n
}

// ErrInvalidToken reports a token that is malformed, unknown or revoked.
// It never says which, so that it tells a guesser nothing.
var ErrInvalidToken = errors.New("invalid or revoked API token")

// Token is a stored API token's record; the secret itself is never stored.
type Token struct {
	ID         string     `json:"id"`
	Name       string     `json:"name"`
	Role       string     `json:"role"`
	CreatedAt  time.Time  `json:"created_at"`
	LastUsedAt *time.Time `json:"last_used_at,omitempty"`
	RevokedAt  *time.Time `json:"revoked_at,omitempty"`
}

// Store keeps API tokens in PostgreSQL (table api_token).
type Store struct {
	Pool *pgxpool.Pool
}

const prefix = "cc_"

var (
	idPattern    = regexp.MustCompile(`^[0-9a-f]{16}$`)
	tokenPattern = regexp.MustCompile(`^cc_([0-9a-f]{16})_([A-Za-z0-9_-]{43})$`)
)

func hash(token string) []byte {
	h := sha256.Sum256([]byte(token))
	return h[:]
}

// Create makes a token with role and an optional name (at most 100
// characters) and returns its record and the token text, which exists
// nowhere else afterwards. A bad role or name is ErrInvalid.
func (s *Store) Create(ctx context.Context, role, name string) (Token, string, error) {
	if !slices.Contains(Roles(), role) {
		return Token{}, "", derrors.Invalid("role: want %s, got %q", strings.Join(Roles(), "|"), role)
	}
	name = strings.TrimSpace(name)
	if utf8.RuneCountInString(name) > 100 {
		return Token{}, "", derrors.Invalid("name: at most 100 characters")
	}
	var idBytes [8]byte
	var secret [32]byte
	if _, err := rand.Read(idBytes[:]); err != nil {
		return Token{}, "", err
	}
	if _, err := rand.Read(secret[:]); err != nil {
		return Token{}, "", err
	}
	id := hex.EncodeToString(idBytes[:])
	text := prefix + id + "_" + base64.RawURLEncoding.EncodeToString(secret[:])
	t := Token{ID: id, Name: name, Role: role}
	err := s.Pool.QueryRow(ctx, `INSERT INTO api_token (id, name, role, hash) VALUES ($1, $2, $3, $4) RETURNING created_at`,
		id, name, role, hash(text)).Scan(&t.CreatedAt)
	if err != nil {
		return Token{}, "", postgres.Translate(err, "token")
	}
	return t, text, nil
}

// Verify returns the record of a valid token, ErrInvalidToken for a
// malformed, unknown or revoked one, or a database error.
func (s *Store) Verify(ctx context.Context, token string) (*Token, error) {
	m := tokenPattern.FindStringSubmatch(token)
	if m == nil {
		return nil, ErrInvalidToken
	}
	var t Token
	var stored []byte
	err := s.Pool.QueryRow(ctx, `SELECT id, name, role, hash, created_at, last_used_at, revoked_at FROM api_token WHERE id = $1`, m[1]).
		Scan(&t.ID, &t.Name, &t.Role, &stored, &t.CreatedAt, &t.LastUsedAt, &t.RevokedAt)
	if errors.Is(err, pgx.ErrNoRows) {
		// Compare anyway so that an unknown id costs what a wrong secret does.
		subtle.ConstantTimeCompare(hash(token), make([]byte, sha256.Size))
		return nil, ErrInvalidToken
	}
	if err != nil {
		return nil, postgres.Translate(err, "token")
	}
	if subtle.ConstantTimeCompare(hash(token), stored) != 1 || t.RevokedAt != nil {
		return nil, ErrInvalidToken
	}
	if t.LastUsedAt == nil || time.Since(*t.LastUsedAt) > time.Minute {
		_, err := s.Pool.Exec(ctx, `UPDATE api_token SET last_used_at = now()
			WHERE id = $1 AND (last_used_at IS NULL OR last_used_at < now() - interval '1 minute')`, t.ID)
		if err != nil {
			return nil, postgres.Translate(err, "token")
		}
	}
	return &t, nil
}

// Revoke stops token id (its id, or the whole token text) from being
// accepted. It returns ErrNotFound for an unknown id and ErrConflict for a
// token already revoked.
func (s *Store) Revoke(ctx context.Context, id string) error {
	if m := tokenPattern.FindStringSubmatch(id); m != nil {
		id = m[1]
	}
	if !idPattern.MatchString(id) {
		return derrors.NotFound("token %q not found (want its 16-digit id, as `coldchain token list` shows)", id)
	}
	var revoked bool
	err := s.Pool.QueryRow(ctx, `WITH old AS (SELECT revoked_at FROM api_token WHERE id = $1 FOR UPDATE)
		UPDATE api_token t SET revoked_at = coalesce(t.revoked_at, now()) FROM old
		 WHERE t.id = $1 RETURNING old.revoked_at IS NOT NULL`, id).Scan(&revoked)
	if err != nil {
		return postgres.Translate(err, fmt.Sprintf("token %q", id))
	}
	if revoked {
		return derrors.Conflict("token %s is already revoked", id)
	}
	return nil
}

// List returns every token's record, newest first, revoked ones included.
func (s *Store) List(ctx context.Context) ([]Token, error) {
	rows, err := s.Pool.Query(ctx, `SELECT id, name, role, created_at, last_used_at, revoked_at FROM api_token ORDER BY created_at DESC, id`)
	if err != nil {
		return nil, postgres.Translate(err, "tokens")
	}
	out, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (Token, error) {
		var t Token
		err := row.Scan(&t.ID, &t.Name, &t.Role, &t.CreatedAt, &t.LastUsedAt, &t.RevokedAt)
		return t, err
	})
	if err != nil {
		return nil, postgres.Translate(err, "tokens")
	}
	return out, nil
}
