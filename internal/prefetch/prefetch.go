// Package prefetch reads a sequence ahead of its consumer: a goroutine
// calls a read function and hands its values over in batches, so that
// making the next values overlaps with using the ones before, on another
// core. Imports use it twice in a row: the file is parsed ahead of the
// rows' validation (internal/ingest), and rows are validated and encoded
// ahead of the COPY that stores them (internal/layer).
package prefetch

import "sync"

// Reader hands over, in order, the values of one read function called in
// a goroutine of its own, then the error that ended it. Make one with
// Start; a Reader is used by one goroutine.
type Reader[T any] struct {
	batches chan []T
	done    chan struct{}
	wg      sync.WaitGroup
	once    sync.Once
	cur     []T
	end     error // the error that ended read, set before batches closes
}

// Start calls read in a new goroutine until it returns an error (io.EOF,
// say, at the end of the input), handing its values over batch at a time,
// with at most a few batches waiting. The caller must Stop the Reader.
func Start[T any](batch int, read func() (T, error)) *Reader[T] {
	r := &Reader[T]{batches: make(chan []T, 4), done: make(chan struct{})}
	r.wg.Add(1)
	go r.run(max(1, batch), read)
	return r
}

func (r *Reader[T]) run(size int, read func() (T, error)) {
	defer r.wg.Done()
	defer close(r.batches)
	batch := make([]T, 0, size)
	for {
		v, err := read()
		if err != nil {
			r.end = err
			break
		}
		batch = append(batch, v)
		if len(batch) == size {
			if !r.send(batch) {
				return
			}
			batch = make([]T, 0, size)
		}
	}
	if len(batch) > 0 {
		r.send(batch)
	}
}

// send hands a batch over; false when Stop was called.
func (r *Reader[T]) send(batch []T) bool {
	select {
	case r.batches <- batch:
		return true
	case <-r.done:
		return false
	}
}

// Next returns the next value, or once they are all taken the error that
// ended read (on every later call too).
func (r *Reader[T]) Next() (T, error) {
	for len(r.cur) == 0 {
		b, ok := <-r.batches
		if !ok {
			var zero T
			return zero, r.end
		}
		r.cur = b
	}
	v := r.cur[0]
	r.cur = r.cur[1:]
	return v, nil
}

// Stop ends the goroutine, waits for it, and returns the error that ended
// read, or nil when Stop came first. Once Stop returns, read is no longer
// called; Stop may be called again.
func (r *Reader[T]) Stop() error {
	r.once.Do(func() { close(r.done) })
	r.wg.Wait()
	return r.end
}
