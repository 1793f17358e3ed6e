package plan

import (
	"context"
	"errors"
	"time"

	"github.com/coldchain/coldchain/internal/derrors"
)

// prepWaits holds, per plan id, the channel a submitter waits on for the
// outcome of the plan's preparation.
type prepWaits struct {
	ch map[string]chan error
}

// watchPrep registers a wait for plan id's preparation.
func (s *Service) watchPrep(id string) chan error {
	c := make(chan error, 1)
	s.mu.Lock()
	if s.waits.ch == nil {
		s.waits.ch = map[string]chan error{}
	}
	s.waits.ch[id] = c
	s.mu.Unlock()
	return c
}

// prepared reports plan id's preparation outcome to its waiter, if any
// (once: later reports are dropped).
func (s *Service) prepared(id string, err error) {
	s.mu.Lock()
	c := s.waits.ch[id]
	delete(s.waits.ch, id)
	s.mu.Unlock()
	if c != nil {
		c <- err
	}
}

// SubmitAndWait is Submit that waits up to wait for the plan's
// preparation: a request the data cannot satisfy that is found out in
// that time is returned as an *InfeasibleError with the failed plan (the
// caller answers 422 at once); otherwise the queued or running plan.
func (s *Service) SubmitAndWait(ctx context.Context, req Request, wait time.Duration) (*Plan, error) {
	p, c, err := s.submit(ctx, req, true)
	if err != nil {
		return p, err
	}
	t := time.NewTimer(wait)
	defer t.Stop()
	select {
	case perr := <-c:
		if perr != nil && (errors.Is(perr, derrors.ErrInvalid) || errors.Is(perr, derrors.ErrNotFound)) {
			fp, gerr := s.Get(context.WithoutCancel(ctx), p.ID)
			if gerr != nil {
				fp = p
			}
			return fp, &InfeasibleError{PlanID: p.ID, Reason: perr}
		}
	case <-t.C:
	case <-ctx.Done():
	}
	s.prepared(p.ID, nil) // stop waiting: drop the registration
	return s.Get(context.WithoutCancel(ctx), p.ID)
}
