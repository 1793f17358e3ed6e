package roads_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/coldchain/coldchain/internal/derrors"
	"github.com/coldchain/coldchain/internal/roads"
)

// FuzzOSM feeds the OpenStreetMap reader arbitrary files (XML and PBF are
// told apart by their first bytes; seeds under testdata/fuzz/FuzzOSM and
// testdata/small.osm). It must return a network or an ErrInvalid error.
func FuzzOSM(f *testing.F) {
	if b, err := os.ReadFile("testdata/small.osm"); err == nil {
		f.Add(b)
	}
	f.Add([]byte(`<?xml version="1.0"?><osm version="0.6"><node id="1" lat="42.5" lon="1.5"/><way id="2"><nd ref="1"/><nd ref="3"/><tag k="highway" v="primary"/></way></osm>`))
	f.Add([]byte("\x00\x00\x00\x0d\n\tOSMHeader\x18\x10"))
	dir := f.TempDir()
	f.Fuzz(func(t *testing.T, data []byte) {
		path := filepath.Join(dir, "fuzz.osm")
		if err := os.WriteFile(path, data, 0o644); err != nil {
			t.Fatal(err)
		}
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		n, err := roads.ReadOSM(ctx, path, roads.ReadOptions{})
		if err != nil && !errors.Is(err, derrors.ErrInvalid) && ctx.Err() == nil {
			t.Fatalf("%v is not ErrInvalid", err)
		}
		if err == nil && n == nil {
			t.Fatal("no network and no error")
		}
	})
}
