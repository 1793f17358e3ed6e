package httpapi

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"reflect"
	"strings"

	"github.com/coldchain/coldchain/internal/derrors"
)

// maxRequestJSON caps a JSON request body (plans, park siting, tokens).
const maxRequestJSON = 1 << 20

// decodeJSON reads the request body as one JSON object into v: at most
// limit bytes (else 413), not empty, no duplicate keys, no unknown fields,
// nothing after it. what names the body in messages ("plan request").
// Messages say what to fix without naming Go types.
func decodeJSON(w http.ResponseWriter, r *http.Request, limit int64, what string, v any) error {
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, limit))
	if err != nil {
		return err // *http.MaxBytesError: 413
	}
	if len(bytes.TrimSpace(body)) == 0 {
		return derrors.Invalid("%s: the body is empty: send a JSON object (Content-Type: application/json)", what)
	}
	if err := checkDuplicateKeys(body); err != nil {
		return derrors.Invalid("%s: %v", what, err)
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return derrors.Invalid("%s: %s", what, jsonProblem(err, body))
	}
	if dec.More() {
		return derrors.Invalid("%s: the body holds more than one JSON value: send one object", what)
	}
	return nil
}

// jsonProblem says in user terms what is wrong with a JSON body.
func jsonProblem(err error, body []byte) string {
	var syntax *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.Is(err, io.ErrUnexpectedEOF) || errors.As(err, &syntax) && syntax.Offset >= int64(len(body)):
		return "the JSON ends too early (truncated body?)"
	case errors.As(err, &syntax):
		line := 1 + bytes.Count(body[:min(int(syntax.Offset), len(body))], []byte{'\n'})
		return fmt.Sprintf("not valid JSON (line %d, byte %d): %s", line, syntax.Offset, strings.TrimPrefix(syntax.Error(), "json: "))
	case errors.As(err, &typ):
		field := typ.Field
		if field == "" {
			field = "the body"
		}
		return fmt.Sprintf("%s: want %s, got a JSON %s", field, kindName(typ.Type), typ.Value)
	}
	msg := strings.TrimPrefix(err.Error(), "json: ")
	if strings.HasPrefix(msg, "unknown field") {
		return msg + " (the fields are listed at /api/openapi.json)"
	}
	return msg
}

// kindName names a Go type for a JSON user.
func kindName(t reflect.Type) string {
	switch t.Kind() {
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return "a whole number"
	case reflect.Float32, reflect.Float64:
		return "a number"
	case reflect.String:
		return "text"
	case reflect.Bool:
		return "true or false"
	case reflect.Slice, reflect.Array:
		return "a list"
	case reflect.Map, reflect.Struct:
		return "an object"
	case reflect.Pointer:
		return kindName(t.Elem())
	}
	return "another kind of value"
}

// checkDuplicateKeys refuses an object that names a key twice (which
// encoding/json would silently resolve to the last value).
func checkDuplicateKeys(body []byte) error {
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	type frame struct {
		keys   map[string]bool
		object bool
		key    bool // the next string token is a key
	}
	var stack []*frame
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return nil // syntax errors are reported by the decoder proper
		}
		var top *frame
		if len(stack) > 0 {
			top = stack[len(stack)-1]
		}
		if top != nil && top.object && top.key {
			if d, ok := tok.(json.Delim); !ok || d != '}' {
				k, _ := tok.(string)
				if top.keys[k] {
					return fmt.Errorf("key %q appears twice in one object: give each key once", k)
				}
				top.keys[k] = true
				top.key = false
				continue
			}
		}
		switch tok {
		case json.Delim('{'):
			stack = append(stack, &frame{keys: map[string]bool{}, object: true, key: true})
			continue
		case json.Delim('['):
			stack = append(stack, &frame{})
			continue
		case json.Delim('}'), json.Delim(']'):
			stack = stack[:len(stack)-1]
		}
		if len(stack) > 0 && stack[len(stack)-1].object {
			stack[len(stack)-1].key = true
		}
	}
}
