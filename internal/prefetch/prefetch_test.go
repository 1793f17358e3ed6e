package prefetch

import (
	"errors"
	"io"
	"testing"
)

// counter returns a read function that gives 1..n, then end.
func counter(n int, end error) func() (int, error) {
	i := 0
	return func() (int, error) {
		if i == n {
			return 0, end
		}
		i++
		return i, nil
	}
}

// TestKeepsOrder reads more than a few batches (and a last, partial one)
// through a Reader: every value in order, then the error that ended read,
// again on each later call, and from Stop.
func TestKeepsOrder(t *testing.T) {
	for _, end := range []error{io.EOF, errors.New("disk on fire")} {
		const batch = 16
		n := 5*batch + 3
		r := Start(batch, counter(n, end))
		for i := 1; i <= n; i++ {
			if v, err := r.Next(); v != i || err != nil {
				t.Fatalf("value %d: got %d, %v", i, v, err)
			}
		}
		for range 2 {
			if _, err := r.Next(); err != end {
				t.Fatalf("after the last value: %v, want %v", err, end)
			}
		}
		if err := r.Stop(); err != end {
			t.Fatalf("Stop: %v, want %v", err, end)
		}
	}
}

// TestStopsEarly stops a Reader after one value, with its goroutine
// blocked on a full channel: Stop returns (the goroutine ended), nil since
// read never ended, and read is not called after it.
func TestStopsEarly(t *testing.T) {
	read := counter(1<<20, io.EOF)
	calls := 0
	r := Start(8, func() (int, error) { calls++; return read() })
	if v, err := r.Next(); v != 1 || err != nil {
		t.Fatalf("first value: %d, %v", v, err)
	}
	if err := r.Stop(); err != nil {
		t.Fatalf("Stop: %v, want nil", err)
	}
	after := calls
	if err := r.Stop(); err != nil || calls != after { // twice is harmless
		t.Fatalf("second Stop: %v, read called %d more times", err, calls-after)
	}
	if calls > 8*6 {
		t.Errorf("read called %d times for one value taken: want a few batches at most", calls)
	}
}
