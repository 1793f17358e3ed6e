package ingest

import (
	"errors"
	"io"
	"testing"

	"github.com/coldchain/coldchain/internal/derrors"
	"github.com/coldchain/coldchain/internal/layer"
)

// listReader hands out n features numbered 1..n, every seventh a row
// error, then end.
type listReader struct {
	i, n int
	end  error
}

func (r *listReader) Next() (layer.Feature, error) {
	if r.i == r.n {
		return layer.Feature{}, r.end
	}
	r.i++
	if r.i%7 == 0 {
		return layer.Feature{}, &rowError{derrors.RowError{Row: r.i, Reason: "bad"}}
	}
	return layer.Feature{Row: r.i}, nil
}

// TestAheadKeepsOrder reads more than a few batches through ahead: every
// feature and row error in the reader's order, then the reader's final
// error, again on each later call.
func TestAheadKeepsOrder(t *testing.T) {
	for _, end := range []error{io.EOF, errors.New("disk on fire")} {
		n := 5*aheadBatch + 3
		a := startAhead(&listReader{n: n, end: end})
		for i := 1; i <= n; i++ {
			f, err := a.Next()
			var re *rowError
			switch {
			case i%7 == 0 && (!errors.As(err, &re) || re.Row != i):
				t.Fatalf("item %d: got %v, want its row error", i, err)
			case i%7 != 0 && (err != nil || f.Row != i):
				t.Fatalf("item %d: got row %d, %v", i, f.Row, err)
			}
		}
		for range 2 {
			if _, err := a.Next(); err != end {
				t.Fatalf("after the last item: %v, want %v", err, end)
			}
		}
		a.stop()
	}
}

// TestAheadStopsEarly stops ahead after one feature, with the goroutine
// blocked on a full channel: stop returns (the goroutine ended).
func TestAheadStopsEarly(t *testing.T) {
	a := startAhead(&listReader{n: 100 * aheadBatch, end: io.EOF})
	if f, err := a.Next(); err != nil || f.Row != 1 {
		t.Fatalf("first item: row %d, %v", f.Row, err)
	}
	a.stop()
	a.stop() // twice is harmless
}
