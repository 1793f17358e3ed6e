// Package pqueue is a small generic binary heap: the priority queue of
// the road searches, the OR-Library shortest paths and the location
// engine's greedy and regret orders.
//
// Unlike container/heap it needs no interface methods and boxes nothing:
// items are stored by value in one slice, and the order is a less
// function given once.
package pqueue

// Heap is a binary min-heap of T: Top is an item no other item is less
// than. The zero Heap is not usable; make one with New.
type Heap[T any] struct {
	items []T
	less  func(a, b T) bool
}

// New returns an empty heap ordered by less (a strict weak order).
func New[T any](less func(a, b T) bool) *Heap[T] {
	return &Heap[T]{less: less}
}

// Len is the number of items.
func (h *Heap[T]) Len() int { return len(h.items) }

// Reset empties the heap, keeping its storage for reuse.
func (h *Heap[T]) Reset() { h.items = h.items[:0] }

// Init replaces the heap's items with items (the heap takes the slice
// over) and orders them in O(n). A slice sorted by less is already in
// heap order and is left as it is.
func (h *Heap[T]) Init(items []T) {
	h.items = items
	for i := len(items)/2 - 1; i >= 0; i-- {
		h.down(i)
	}
}

// Push adds x.
func (h *Heap[T]) Push(x T) {
	h.items = append(h.items, x)
	h.up(len(h.items) - 1)
}

// Top returns the least item without removing it. The heap must not be
// empty.
func (h *Heap[T]) Top() T { return h.items[0] }

// Pop removes and returns the least item. The heap must not be empty.
func (h *Heap[T]) Pop() T {
	a := h.items
	top := a[0]
	last := len(a) - 1
	a[0] = a[last]
	h.items = a[:last]
	h.down(0)
	return top
}

// ReplaceTop replaces the least item with x and restores the order
// (cheaper than Pop then Push).
func (h *Heap[T]) ReplaceTop(x T) {
	h.items[0] = x
	h.down(0)
}

// Second returns the least item after Top without removing anything; ok
// is false when the heap holds fewer than two items.
func (h *Heap[T]) Second() (x T, ok bool) {
	a := h.items
	switch {
	case len(a) < 2:
		return x, false
	case len(a) > 2 && h.less(a[2], a[1]):
		return a[2], true
	}
	return a[1], true
}

func (h *Heap[T]) up(i int) {
	a := h.items
	for i > 0 {
		p := (i - 1) / 2
		if !h.less(a[i], a[p]) {
			break
		}
		a[p], a[i] = a[i], a[p]
		i = p
	}
}

func (h *Heap[T]) down(i int) {
	a := h.items
	for {
		c := 2*i + 1
		if c >= len(a) {
			return
		}
		if r := c + 1; r < len(a) && h.less(a[r], a[c]) {
			c = r
		}
		if !h.less(a[c], a[i]) {
			return
		}
		a[i], a[c] = a[c], a[i]
		i = c
	}
}
