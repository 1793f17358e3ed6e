package pqueue

import (
	"math/rand/v2"
	"slices"
	"testing"
)

type entry struct {
	key float64
	id  int
}

func byKeyThenID(a, b entry) bool { return a.key < b.key || (a.key == b.key && a.id < b.id) }

// Popping returns the items in sorted order, whatever the pushes, pops and
// replacements in between; Second is always the next Pop.
func TestHeapOrder(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for round := range 200 {
		h := New(byKeyThenID)
		var ref []entry
		id := 0
		for range 1 + rng.IntN(300) {
			switch op := rng.IntN(10); {
			case op < 6 || h.Len() == 0:
				e := entry{float64(rng.IntN(20)), id}
				id++
				h.Push(e)
				ref = append(ref, e)
			case op < 8:
				slices.SortFunc(ref, cmpEntries)
				if got := h.Pop(); got != ref[0] {
					t.Fatalf("round %d: Pop %v, want %v", round, got, ref[0])
				}
				ref = ref[1:]
			default:
				slices.SortFunc(ref, cmpEntries)
				e := entry{float64(rng.IntN(20)), id}
				id++
				h.ReplaceTop(e)
				ref[0] = e
			}
			slices.SortFunc(ref, cmpEntries)
			if sec, ok := h.Second(); ok != (len(ref) > 1) || (ok && sec != ref[1]) {
				t.Fatalf("round %d: Second %v %v, want %v", round, sec, ok, ref)
			}
		}
		for h.Len() > 0 {
			if got := h.Pop(); got != ref[0] {
				t.Fatalf("round %d: drain %v, want %v", round, got, ref[0])
			}
			ref = ref[1:]
		}
	}
}

func cmpEntries(a, b entry) int {
	switch {
	case byKeyThenID(a, b):
		return -1
	case byKeyThenID(b, a):
		return 1
	}
	return 0
}

// Init orders any slice, and leaves a sorted one as it is.
func TestInit(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	items := make([]entry, 500)
	for i := range items {
		items[i] = entry{rng.Float64(), i}
	}
	sorted := slices.SortedFunc(slices.Values(items), cmpEntries)
	h := New(byKeyThenID)
	h.Init(slices.Clone(sorted))
	if !slices.Equal(h.items, sorted) {
		t.Error("Init reordered a sorted slice")
	}
	h.Init(items)
	for i, want := range sorted {
		if got := h.Pop(); got != want {
			t.Fatalf("pop %d: %v, want %v", i, got, want)
		}
	}
	h.Push(entry{1, 1})
	h.Reset()
	if h.Len() != 0 {
		t.Error("Reset left items")
	}
}

func BenchmarkPushPop(b *testing.B) {
	rng := rand.New(rand.NewPCG(5, 6))
	keys := make([]float64, 1<<12)
	for i := range keys {
		keys[i] = rng.Float64()
	}
	h := New(byKeyThenID)
	for b.Loop() {
		for i, k := range keys {
			h.Push(entry{k, i})
		}
		for h.Len() > 0 {
			h.Pop()
		}
	}
}
