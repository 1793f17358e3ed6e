package plan

import (
	"context"
	"time"

	"github.com/coldchain/coldchain/internal/derrors"
	"github.com/coldchain/coldchain/internal/postgres"
	"github.com/coldchain/coldchain/internal/runs"
)

// SubmitAndWait is Submit that waits up to wait for the plan's
// preparation, whichever process runs it: a request the data cannot
// satisfy that is found out in that time is returned as an
// *InfeasibleError with the failed plan (the caller answers 422 at once);
// otherwise the queued or running plan. A plan decomposed by county was
// checked when it was queued and is returned at once.
func (s *Service) SubmitAndWait(ctx context.Context, req Request, wait time.Duration) (*Plan, error) {
	p, err := s.Submit(ctx, req)
	if err != nil {
		return p, err
	}
	deadline := time.Now().Add(wait)
	for time.Now().Before(deadline) && ctx.Err() == nil {
		var prepared bool
		var kind string
		err := s.Pool.QueryRow(ctx, `SELECT prepared_at IS NOT NULL OR status IN ('done', 'failed')
			   OR EXISTS (SELECT 1 FROM plan_part WHERE plan_id = plan.id),
			   coalesce(failure_kind, '') FROM plan WHERE id = $1`, p.ID).Scan(&prepared, &kind)
		if err != nil {
			return p, postgres.Translate(err, "plan")
		}
		if kind != "" {
			fp, gerr := s.Get(context.WithoutCancel(ctx), p.ID)
			if gerr != nil {
				return p, gerr
			}
			return fp, &InfeasibleError{PlanID: p.ID, Reason: infeasibleReason(kind, fp.Error)}
		}
		if prepared {
			break
		}
		time.Sleep(50 * time.Millisecond)
	}
	return s.Get(context.WithoutCancel(ctx), p.ID)
}

// infeasibleReason rebuilds the error of a plan failed with kind.
func infeasibleReason(kind, reason string) error {
	if kind == runs.FailNotFound {
		return derrors.NotFound("%s", reason)
	}
	return derrors.Invalid("%s", reason)
}
