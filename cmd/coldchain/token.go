package main

import (
	"errors"
	"fmt"
	"os"
	"slices"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/spf13/cobra"

	"github.com/coldchain/coldchain/internal/auth"
	"github.com/coldchain/coldchain/internal/derrors"
	"github.com/coldchain/coldchain/internal/httpapi"
)

func newTokenCmd(cfg *config) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "token",
		Short: "Manage API tokens (create, list, revoke)",
		Long: `API tokens let clients write through the HTTP API: send them as
"Authorization: Bearer <token>". Roles, weakest first: viewer (read; needed
only when the server runs with COLDCHAIN_READ_AUTH=true), planner (edit
layers, run plans), admin (manage tokens over HTTP too). Only a hash of each
token is stored: a lost token cannot be shown again, revoke it and make another.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error { return cmd.Help() },
	}
	cmd.AddCommand(newTokenCreateCmd(cfg), newTokenListCmd(cfg), newTokenRevokeCmd(cfg))
	return cmd
}

func newTokenCreateCmd(cfg *config) *cobra.Command {
	var role, name string
	cmd := &cobra.Command{
		Use:   "create --role viewer|planner|admin [--name N]",
		Short: "Make an API token and print it once",
		Long: `Make an API token and print it on standard output, alone on one line. It is
shown this once: keep it in a password manager or the client's settings.`,
		Example: `  coldchain token create --role planner --name "QGIS, planning office"`,
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if !slices.Contains(auth.Roles(), role) {
				return usageErr("--role: want %s", strings.Join(auth.Roles(), "|"))
			}
			pool, err := cfg.open(cmd.Context())
			if err != nil {
				return err
			}
			defer pool.Close()
			t, text, err := (&auth.Store{Pool: pool}).Create(cmd.Context(), role, name)
			if errors.Is(err, derrors.ErrInvalid) {
				return usageErr("%s", derrors.Message(err, err.Error()))
			}
			if err != nil {
				return err
			}
			fmt.Fprintln(cmd.OutOrStdout(), text)
			fmt.Fprintf(cmd.ErrOrStderr(), "token %s (%s) created; it is shown only this once\n", t.ID, t.Role)
			return nil
		},
	}
	cmd.Flags().StringVar(&role, "role", "", "viewer, planner or admin (required)")
	cmd.Flags().StringVar(&name, "name", "", "who or what uses the token (at most 100 characters)")
	return cmd
}

func newTokenListCmd(cfg *config) *cobra.Command {
	return &cobra.Command{
		Use:   "list",
		Short: "List API tokens (never their secrets)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			pool, err := cfg.open(cmd.Context())
			if err != nil {
				return err
			}
			defer pool.Close()
			list, err := (&auth.Store{Pool: pool}).List(cmd.Context())
			if err != nil {
				return err
			}
			tw := tabwriter.NewWriter(cmd.OutOrStdout(), 0, 4, 2, ' ', 0)
			fmt.Fprintln(tw, "ID\tROLE\tNAME\tCREATED\tLAST USED\tSTATUS")
			stamp := func(t *time.Time) string {
				if t == nil {
					return "-"
				}
				return t.UTC().Format("2006-01-02 15:04")
			}
			for _, t := range list {
				status := "active"
				if t.RevokedAt != nil {
					status = "revoked " + stamp(t.RevokedAt)
				}
				fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", t.ID, t.Role, t.Name, stamp(&t.CreatedAt), stamp(t.LastUsedAt), status)
			}
			return tw.Flush()
		},
	}
}

func newTokenRevokeCmd(cfg *config) *cobra.Command {
	return &cobra.Command{
		Use:   "revoke ID",
		Short: "Revoke an API token (its id, as `token list` shows, or the token itself)",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			pool, err := cfg.open(cmd.Context())
			if err != nil {
				return err
			}
			defer pool.Close()
			if err := (&auth.Store{Pool: pool}).Revoke(cmd.Context(), args[0]); err != nil {
				if errors.Is(err, derrors.ErrNotFound) || errors.Is(err, derrors.ErrConflict) {
					return errors.New(derrors.Message(err, err.Error()))
				}
				return err
			}
			fmt.Fprintln(cmd.OutOrStdout(), "token revoked")
			return nil
		},
	}
}

// accessFlags are serve's access settings: who may call the API, from
// where, and how often plans may be submitted.
type accessFlags struct {
	readAuth  bool
	origins   string
	planRate  int
	tileLimit int
}

func (a *accessFlags) bind(cmd *cobra.Command) {
	readAuth, _ := strconv.ParseBool(os.Getenv("COLDCHAIN_READ_AUTH"))
	planRate := 20
	if v, err := strconv.Atoi(os.Getenv("COLDCHAIN_PLAN_RATE")); err == nil {
		planRate = v
	}
	f := cmd.Flags()
	f.BoolVar(&a.readAuth, "read-auth", readAuth, "require an API token for reads too (env COLDCHAIN_READ_AUTH)")
	f.StringVar(&a.origins, "cors-origins", os.Getenv("COLDCHAIN_CORS_ORIGINS"), "origins browsers may call the API from, comma-separated, e.g. https://maps.example.org; empty: no CORS (env COLDCHAIN_CORS_ORIGINS)")
	f.IntVar(&a.planRate, "plan-rate", planRate, "plans each token may submit per minute; 0: no limit (env COLDCHAIN_PLAN_RATE)")
	f.IntVar(&a.tileLimit, "tile-limit", httpapi.DefaultTileLimit, "most features of one layer in one vector tile (pg_tileserv's default; producers are clustered at zoom 12 and below)")
}

// apply checks the settings (the environment's too) and sets them on srv,
// with the token store on pool.
func (a *accessFlags) apply(srv *httpapi.Server, pool *pgxpool.Pool) error {
	if v := os.Getenv("COLDCHAIN_READ_AUTH"); v != "" {
		if _, err := strconv.ParseBool(v); err != nil {
			return usageErr("COLDCHAIN_READ_AUTH: want true or false, got %q", v)
		}
	}
	if v := os.Getenv("COLDCHAIN_PLAN_RATE"); v != "" {
		if _, err := strconv.Atoi(v); err != nil {
			return usageErr("COLDCHAIN_PLAN_RATE: want a whole number, got %q", v)
		}
	}
	if a.planRate < 0 || a.tileLimit < 1 {
		return usageErr("--plan-rate must be ≥ 0 and --tile-limit ≥ 1")
	}
	var origins []string
	for _, o := range strings.Split(a.origins, ",") {
		if o = strings.TrimSpace(o); o != "" {
			if o != "*" && !strings.HasPrefix(o, "http://") && !strings.HasPrefix(o, "https://") {
				return usageErr("--cors-origins: %q is not an origin (want scheme://host[:port], or *)", o)
			}
			origins = append(origins, strings.TrimRight(o, "/"))
		}
	}
	srv.Tokens = &auth.Store{Pool: pool}
	srv.ReadAuth = a.readAuth
	srv.CORSOrigins = origins
	srv.PlanRate, srv.PlanRateWindow = a.planRate, time.Minute
	srv.TileLimit = a.tileLimit
	return nil
}
