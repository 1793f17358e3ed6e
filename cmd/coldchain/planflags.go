package main

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/spf13/cobra"

	"github.com/coldchain/coldchain/internal/locate"
	"github.com/coldchain/coldchain/internal/plan"
)

// problemNames lists the registry's problems for --problem's help.
func problemNames() string {
	names := make([]string, len(locate.Problems))
	for i, sp := range locate.Problems {
		names[i] = string(sp.Name)
	}
	return "location problem: " + strings.Join(names, ", ")
}

// menuFlag parses modular sizes "T:COST,T:COST".
type menuFlag struct{ menu *[]plan.Module }

func (f menuFlag) String() string {
	if f.menu == nil {
		return ""
	}
	parts := make([]string, len(*f.menu))
	for i, m := range *f.menu {
		parts[i] = fmt.Sprintf("%g:%g", m.CapacityT, m.BuildCost)
	}
	return strings.Join(parts, ",")
}

func (f menuFlag) Set(s string) error {
	*f.menu = nil
	for _, part := range strings.Split(s, ",") {
		t, c, ok := strings.Cut(strings.TrimSpace(part), ":")
		capT, err1 := strconv.ParseFloat(t, 64)
		cost, err2 := strconv.ParseFloat(c, 64)
		if !ok || err1 != nil || err2 != nil {
			return fmt.Errorf("want TONNES:COST pairs separated by commas, e.g. 500:150,1000:260; got %q", part)
		}
		*f.menu = append(*f.menu, plan.Module{CapacityT: capT, BuildCost: cost})
	}
	return nil
}

func (f menuFlag) Type() string { return "sizes" }

// priorityFlag parses "poverty_exit=2,key_county=1.5".
type priorityFlag struct{ p **plan.Priority }

func (f priorityFlag) String() string {
	if f.p == nil || *f.p == nil {
		return ""
	}
	return fmt.Sprintf("poverty_exit=%g,key_county=%g", (*f.p).PovertyExit, (*f.p).KeyCounty)
}

func (f priorityFlag) Set(s string) error {
	pr := &plan.Priority{}
	for _, part := range strings.Split(s, ",") {
		k, v, ok := strings.Cut(strings.TrimSpace(part), "=")
		w, err := strconv.ParseFloat(v, 64)
		if !ok || err != nil {
			return fmt.Errorf("want AREA=WEIGHT pairs, e.g. poverty_exit=2,key_county=1.5; got %q", part)
		}
		switch k {
		case "poverty_exit":
			pr.PovertyExit = w
		case "key_county":
			pr.KeyCounty = w
		default:
			return fmt.Errorf("unknown priority area %q (want poverty_exit or key_county)", k)
		}
	}
	*f.p = pr
	return nil
}

func (f priorityFlag) Type() string { return "weights" }

// newPlanAdoptCmd is `coldchain plan adopt ID`.
func newPlanAdoptCmd(cfg *config) *cobra.Command {
	return &cobra.Command{
		Use:   "adopt PLAN_ID",
		Short: "Turn a finished plan's sites into planned facilities",
		Long: `Adopt a finished plan: its new sites become facilities with status
planned, and its expansions raise their facility's capacity as planned.
"coldchain coverage --include planned" then shows the county as the plan
would leave it. A plan is adopted at most once.`,
		Example: `  coldchain plan adopt 3f70953e-56bb-4bc7-9a99-d9bc8823b03a
  coldchain coverage --class citrus --include planned`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			pool, err := cfg.open(cmd.Context())
			if err != nil {
				return err
			}
			defer pool.Close()
			svc := &plan.Service{Pool: pool}
			ad, err := svc.Adopt(cmd.Context(), args[0])
			if err != nil {
				return err
			}
			fmt.Fprintf(cmd.OutOrStdout(), "plan %s adopted: %d new planned facilities %v, %d planned expansions %v\n",
				ad.Plan, len(ad.Facilities), ad.Facilities, len(ad.Expansions), ad.Expansions)
			return nil
		},
	}
}
