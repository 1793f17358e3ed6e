package ingest

import (
	"bytes"
	"errors"
	"io"
	"os"
	"path/filepath"
	"testing"

	"github.com/coldchain/coldchain/internal/derrors"
	"github.com/coldchain/coldchain/internal/layer"
)

// vocab is the product classes of the schema, for decoding without a
// database.
var vocab = &layer.Vocab{Classes: []string{"berry", "citrus", "edible_fungus", "fruit", "hardy_vegetable", "leafy_vegetable",
	"meat", "aquatic", "dairy", "tea", "tuber", "grain"}}

// readAll reads and decodes every feature of data as the importer would,
// up to 10,000 features, and checks the reader's contract: it ends with
// io.EOF or an ErrInvalid error, never a panic or another error.
func readAll(t *testing.T, data []byte, format string) {
	fr, err := open(bytes.NewReader(data), Options{Format: format})
	if err != nil {
		if !errors.Is(err, derrors.ErrInvalid) {
			t.Fatalf("open: %v is not ErrInvalid", err)
		}
		return
	}
	producers, err := layer.ByName("producers")
	if err != nil {
		t.Fatal(err)
	}
	src := &rowSource{fr: fr, vocab: vocab, layer: producers}
	for i := 0; i < 10000; i++ {
		_, err := src.Next()
		if errors.Is(err, io.EOF) {
			return
		}
		if err != nil {
			if !errors.Is(err, derrors.ErrInvalid) {
				t.Fatalf("feature %d: %v is not ErrInvalid", i, err)
			}
			return
		}
	}
}

func seed(f *testing.F, pattern string) {
	files, _ := filepath.Glob(pattern)
	for _, p := range files {
		if b, err := os.ReadFile(p); err == nil {
			f.Add(b)
		}
	}
}

// FuzzGeoJSON feeds the GeoJSON reader arbitrary bytes (seeded with the
// good and bad test files; more under testdata/fuzz/FuzzGeoJSON).
func FuzzGeoJSON(f *testing.F) {
	seed(f, "testdata/*/*.geojson")
	f.Fuzz(func(t *testing.T, data []byte) { readAll(t, data, GeoJSON) })
}

// FuzzCSV feeds the CSV reader arbitrary bytes (seeded with the test
// files; more under testdata/fuzz/FuzzCSV).
func FuzzCSV(f *testing.F) {
	seed(f, "testdata/*/*.csv")
	f.Fuzz(func(t *testing.T, data []byte) { readAll(t, data, CSV) })
}
