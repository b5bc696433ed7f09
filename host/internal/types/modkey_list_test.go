package types

import (
	"bytes"
	"fmt"
	"math/rand"
	"slices"
	"testing"
)

// InsertAt and DeleteAt against the model, over lists of one chunk and of
// many (small elements, and elements big enough to fill a chunk alone).
func TestListInsertDeleteAt(t *testing.T) {
	r := rand.New(rand.NewSource(7))
	for _, size := range []int{3, 300, 5000} {
		l := NewList()
		var model listModel
		for op := 0; op < 3000; op++ {
			v := bytes.Repeat([]byte{byte('a' + op%26)}, 1+r.Intn(size))
			v = append(v, fmt.Sprint(op)...)
			switch n := l.Len(); {
			case n == 0 || r.Intn(3) != 0:
				i := r.Intn(n + 1)
				if !l.InsertAt(i, v) {
					t.Fatalf("InsertAt(%d) of %d refused", i, n)
				}
				model = slices.Insert(model, i, append([]byte(nil), v...))
			default:
				i := r.Intn(2*n) - n // negative and positive indexes
				if !l.DeleteAt(i) {
					t.Fatalf("DeleteAt(%d) of %d refused", i, n)
				}
				if i < 0 {
					i += n
				}
				model = slices.Delete(model, i, i+1)
			}
			v[0] = '#' // the list keeps copies
			if op%97 == 0 || l.Len() < 4 {
				checkList(t, l, model, fmt.Sprintf("size %d op %d", size, op))
			}
		}
		checkList(t, l, model, fmt.Sprintf("size %d end", size))
		for l.Len() > 0 {
			if !l.DeleteAt(l.Len() / 2) {
				t.Fatal("DeleteAt refused while draining")
			}
			model = slices.Delete(model, len(model)/2, len(model)/2+1)
		}
		checkList(t, l, model, "drained")
	}
}

func TestListInsertDeleteAtRange(t *testing.T) {
	l := NewList()
	for _, v := range []string{"a", "b", "c"} {
		l.PushBack([]byte(v))
	}
	for _, i := range []int{-1, 4, 100} {
		if l.InsertAt(i, []byte("x")) {
			t.Errorf("InsertAt(%d) of 3 accepted", i)
		}
	}
	for _, i := range []int{3, -4, 100} {
		if l.DeleteAt(i) {
			t.Errorf("DeleteAt(%d) of 3 accepted", i)
		}
	}
	checkList(t, l, listModel{[]byte("a"), []byte("b"), []byte("c")}, "unchanged")
	if !l.InsertAt(3, []byte("d")) || !l.InsertAt(0, []byte("0")) || !l.DeleteAt(-3) {
		t.Fatal("edge operations refused")
	}
	checkList(t, l, listModel{[]byte("0"), []byte("a"), []byte("c"), []byte("d")}, "edges")
}
