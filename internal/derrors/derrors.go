// Package derrors defines the few error kinds that cross package boundaries
// (not found, invalid input, conflict, unavailable) and the per-row error
// list of imports. Callers check them with errors.Is; the HTTP status table
// lives in httpapi and the CLI exit codes in cmd/coldchain.
package derrors

import (
	"errors"
	"fmt"
	"strings"
)

// Sentinel error kinds.
var (
	// ErrNotFound: the thing asked for does not exist.
	ErrNotFound = errors.New("not found")
	// ErrInvalid: the input is malformed or breaks a rule; the message says why.
	ErrInvalid = errors.New("invalid input")
	// ErrConflict: the input clashes with stored data (duplicate id, immutable plan).
	ErrConflict = errors.New("conflict")
	// ErrUnavailable: the database cannot be reached right now.
	ErrUnavailable = errors.New("service unavailable")
)

// kinded wraps a user-facing message with a kind.
type kinded struct {
	kind error
	msg  string
}

func (e *kinded) Error() string        { return e.msg }
func (e *kinded) Is(target error) bool { return target == e.kind }

// Invalid returns an ErrInvalid error whose message is meant for the user.
func Invalid(format string, args ...any) error {
	return &kinded{kind: ErrInvalid, msg: fmt.Sprintf(format, args...)}
}

// NotFound returns an ErrNotFound error whose message is meant for the user.
func NotFound(format string, args ...any) error {
	return &kinded{kind: ErrNotFound, msg: fmt.Sprintf(format, args...)}
}

// Conflict returns an ErrConflict error whose message is meant for the user.
func Conflict(format string, args ...any) error {
	return &kinded{kind: ErrConflict, msg: fmt.Sprintf(format, args...)}
}

// Unavailable returns an ErrUnavailable error whose message is meant for
// the user.
func Unavailable(format string, args ...any) error {
	return &kinded{kind: ErrUnavailable, msg: fmt.Sprintf(format, args...)}
}

// Message returns the user-safe message of err if it is one of this
// package's kinds, else fallback.
func Message(err error, fallback string) string {
	var k *kinded
	if errors.As(err, &k) {
		return k.msg
	}
	var rs RowErrors
	if errors.As(err, &rs) {
		return rs.Error()
	}
	return fallback
}

// RowError is one bad row of an import or a bulk request.
type RowError struct {
	Row    int    `json:"row"`
	Field  string `json:"field"`
	Reason string `json:"reason"`
}

func (e RowError) String() string {
	if e.Row == 0 {
		return fmt.Sprintf("%s: %s", e.Field, e.Reason)
	}
	return fmt.Sprintf("row %d: %s: %s", e.Row, e.Field, e.Reason)
}

// MaxRowErrors is how many row errors an import reports at most.
const MaxRowErrors = 100

// RowErrors lists bad rows; it is an ErrInvalid.
type RowErrors []RowError

func (rs RowErrors) Error() string {
	var b strings.Builder
	for i, r := range rs {
		if i > 0 {
			b.WriteByte('\n')
		}
		b.WriteString(r.String())
	}
	return b.String()
}

// Is reports that RowErrors is an ErrInvalid.
func (rs RowErrors) Is(target error) bool { return target == ErrInvalid }
