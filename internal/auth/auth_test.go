package auth_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/coldchain/coldchain/internal/auth"
	"github.com/coldchain/coldchain/internal/derrors"
	"github.com/coldchain/coldchain/internal/postgres/pgtest"
)

func TestMain(m *testing.M) { pgtest.Main(m) }

func TestAllows(t *testing.T) {
	cases := []struct {
		have, need string
		want       bool
	}{
		{auth.Viewer, auth.Viewer, true},
		{auth.Viewer, auth.Planner, false},
		{auth.Viewer, auth.Admin, false},
		{auth.Planner, auth.Viewer, true},
		{auth.Planner, auth.Planner, true},
		{auth.Planner, auth.Admin, false},
		{auth.Admin, auth.Planner, true},
		{auth.Admin, auth.Admin, true},
		{"root", auth.Viewer, false},
		{auth.Admin, "root", false},
		{"", "", false},
	}
	for _, tc := range cases {
		t.Run(tc.have+">="+tc.need, func(t *testing.T) {
			if got := auth.Allows(tc.have, tc.need); got != tc.want {
				t.Errorf("Allows(%q, %q) = %v, want %v", tc.have, tc.need, got, tc.want)
			}
		})
	}
}

func TestStore(t *testing.T) {
	ctx := context.Background()
	pool := pgtest.Pool(t)
	st := &auth.Store{Pool: pool}

	planner, text, err := st.Create(ctx, auth.Planner, "  QGIS on the planning desk ")
	if err != nil {
		t.Fatal(err)
	}
	if planner.Name != "QGIS on the planning desk" || planner.Role != auth.Planner || !strings.HasPrefix(text, "cc_"+planner.ID+"_") || len(text) != 3+16+1+43 {
		t.Fatalf("created %+v %q", planner, text)
	}
	viewer, viewerText, err := st.Create(ctx, auth.Viewer, "")
	if err != nil {
		t.Fatal(err)
	}

	// Only the hash is stored.
	var stored int
	if err := pool.QueryRow(ctx, `SELECT count(*) FROM api_token WHERE position($1::bytea in hash) > 0 OR name = $2`, []byte(text), text).Scan(&stored); err != nil || stored != 0 {
		t.Fatalf("the token text is stored: %d %v", stored, err)
	}

	flip := []byte(text)
	flip[len(flip)-1] ^= 1
	cases := []struct {
		name  string
		token string
		want  string // role, or "" for ErrInvalidToken
	}{
		{"planner", text, auth.Planner},
		{"viewer", viewerText, auth.Viewer},
		{"wrong secret", string(flip), ""},
		{"secret of another token", "cc_" + planner.ID + "_" + viewerText[len(viewerText)-43:], ""},
		{"unknown id", "cc_0123456789abcdef_" + text[len(text)-43:], ""},
		{"no prefix", text[3:], ""},
		{"empty", "", ""},
		{"short", text[:len(text)-1], ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, err := st.Verify(ctx, tc.token)
			if tc.want == "" {
				if !errors.Is(err, auth.ErrInvalidToken) || got != nil {
					t.Fatalf("Verify = %+v, %v; want ErrInvalidToken", got, err)
				}
				return
			}
			if err != nil || got.Role != tc.want {
				t.Fatalf("Verify = %+v, %v; want role %s", got, err, tc.want)
			}
		})
	}

	checkUseAndRevoke(t, st, viewer.ID, viewerText, text)
}

// checkUseAndRevoke checks that both tokens' last use is recorded, and
// revoking by id and by token text: the viewer's, then the planner's.
func checkUseAndRevoke(t *testing.T, st *auth.Store, viewerID, viewerText, text string) {
	t.Helper()
	ctx := context.Background()
	list, err := st.List(ctx)
	if err != nil || len(list) != 2 {
		t.Fatalf("list: %+v %v", list, err)
	}
	for _, tok := range list {
		if tok.LastUsedAt == nil {
			t.Errorf("token %s: last use not recorded", tok.ID)
		}
	}

	if err := st.Revoke(ctx, viewerID); err != nil {
		t.Fatal(err)
	}
	if _, err := st.Verify(ctx, viewerText); !errors.Is(err, auth.ErrInvalidToken) {
		t.Fatalf("revoked token accepted: %v", err)
	}
	if _, err := st.Verify(ctx, text); err != nil {
		t.Fatalf("revoking one token broke another: %v", err)
	}
	if err := st.Revoke(ctx, viewerID); !errors.Is(err, derrors.ErrConflict) {
		t.Fatalf("second revoke: %v", err)
	}
	// The whole token text names the token too.
	if err := st.Revoke(ctx, text); err != nil {
		t.Fatalf("revoke by text: %v", err)
	}
	for _, id := range []string{"0123456789abcdef", "nope"} {
		if err := st.Revoke(ctx, id); !errors.Is(err, derrors.ErrNotFound) {
			t.Errorf("revoke %q: %v", id, err)
		}
	}
	list, _ = st.List(ctx)
	for _, tok := range list {
		if tok.RevokedAt == nil {
			t.Errorf("token %s not marked revoked", tok.ID)
		}
	}
}

func TestCreateRefuses(t *testing.T) {
	st := &auth.Store{Pool: pgtest.Pool(t)}
	cases := []struct{ name, role, tokenName string }{
		{"unknown role", "root", ""},
		{"empty role", "", ""},
		{"long name", auth.Viewer, strings.Repeat("名", 101)},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if _, _, err := st.Create(context.Background(), tc.role, tc.tokenName); !errors.Is(err, derrors.ErrInvalid) {
				t.Fatalf("Create(%q, %q): %v", tc.role, tc.tokenName, err)
			}
		})
	}
}
