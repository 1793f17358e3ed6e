// Package testlog holds what tests use to read a log while a service or a
// process writes it.
package testlog

import (
	"bytes"
	"sync"
)

// Buffer is a log that one side writes (a slog handler, a process's
// output streams) while a test reads it: a bytes.Buffer behind a mutex.
type Buffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

// Write appends p.
func (b *Buffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

// String returns everything written so far.
func (b *Buffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}
