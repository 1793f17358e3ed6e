package ingest

import (
	"errors"
	"sync"

	"github.com/coldchain/coldchain/internal/layer"
)

// aheadBatch is how many features the reading goroutine hands over at a
// time.
const aheadBatch = 256

// ahead reads a featureReader in a goroutine of its own, aheadBatch
// features at a time, so that parsing the file (and reprojecting it in
// PostGIS) runs beside the validation of the rows before it, which in turn
// runs beside the COPY that stores the rows before those (layer.Load):
// three stages on the machine's cores instead of one. Features keep their
// order, row errors (*rowError) theirs among them, and the reader's final
// error (io.EOF or a fatal one) comes after the last feature. stop ends
// the goroutine; Import calls it whatever happened.
type ahead struct {
	batches chan []queued
	done    chan struct{}
	wg      sync.WaitGroup
	once    sync.Once
	cur     []queued
	end     error // the reader's final error, set before batches is closed
}

func startAhead(fr featureReader) *ahead {
	a := &ahead{batches: make(chan []queued, 8), done: make(chan struct{})}
	a.wg.Add(1)
	go a.read(fr)
	return a
}

// read runs in the goroutine until fr ends or stop is called.
func (a *ahead) read(fr featureReader) {
	defer a.wg.Done()
	defer close(a.batches)
	batch := make([]queued, 0, aheadBatch)
	for {
		f, err := fr.Next()
		if err != nil && !isRowError(err) {
			a.end = err
			break
		}
		batch = append(batch, queued{f: f, err: err})
		if len(batch) == aheadBatch {
			if !a.send(batch) {
				return
			}
			batch = make([]queued, 0, aheadBatch)
		}
	}
	if len(batch) > 0 {
		a.send(batch)
	}
}

// send hands a batch over; false when stop was called.
func (a *ahead) send(batch []queued) bool {
	select {
	case a.batches <- batch:
		return true
	case <-a.done:
		return false
	}
}

// Next returns the next feature (or row error), then the reader's final
// error.
func (a *ahead) Next() (layer.Feature, error) {
	for len(a.cur) == 0 {
		b, ok := <-a.batches
		if !ok {
			return layer.Feature{}, a.end
		}
		a.cur = b
	}
	q := a.cur[0]
	a.cur = a.cur[1:]
	return q.f, q.err
}

// stop ends the reading goroutine and waits for it.
func (a *ahead) stop() {
	a.once.Do(func() { close(a.done) })
	a.wg.Wait()
}

// isRowError says err is one row's problem (the reader goes on after it).
func isRowError(err error) bool {
	var re *rowError
	return errors.As(err, &re)
}
