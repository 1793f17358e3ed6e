package pgtest

import (
	"bytes"
	"sync"
)

// LogBuffer is a log that one side writes (a slog handler, a process's
// output streams) while a test reads it: a bytes.Buffer behind a mutex.
type LogBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

// Write appends p.
func (b *LogBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

// String returns everything written so far.
func (b *LogBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}
