package rowset

import (
	"reflect"
	"testing"
)

// equalCols is l.0 = r.0 over a combined row of one left and one right
// column, UNKNOWN when either is NULL.
var equalCols = Col{Type: tInt, Eval: func(e Env) (Value, error) {
	r := e.(Row)
	if r[0] == nil || r[1] == nil {
		return nil, nil
	}
	return r[0] == r[1], nil
}}

func TestJoin(t *testing.T) {
	l := []Row{{int64(1)}, {int64(2)}, {nil}}
	r := []Row{{int64(2)}, {int64(3)}, {nil}, {int64(2)}}
	cases := []struct {
		name string
		kind JoinKind
		want []Row
	}{
		{"inner", JoinKind{}, []Row{{int64(2), int64(2)}, {int64(2), int64(2)}}},
		{"left", JoinKind{KeepLeft: true}, []Row{{int64(1), nil}, {int64(2), int64(2)}, {int64(2), int64(2)}, {nil, nil}}},
		{"right", JoinKind{KeepRight: true}, []Row{{int64(2), int64(2)}, {int64(2), int64(2)}, {nil, int64(3)}, {nil, nil}}},
		{"full", JoinKind{KeepLeft: true, KeepRight: true}, []Row{{int64(1), nil}, {int64(2), int64(2)}, {int64(2), int64(2)}, {nil, nil}, {nil, int64(3)}, {nil, nil}}},
	}
	for _, c := range cases {
		got, err := Join(l, r, 1, 1, c.kind, &equalCols, rowAt)
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(got, c.want) {
			t.Errorf("%s join = %v, want %v", c.name, got, c.want)
		}
	}
	cross, err := Join(l, r, 1, 1, JoinKind{}, nil, rowAt)
	if err != nil {
		t.Fatal(err)
	}
	if len(cross) != len(l)*len(r) {
		t.Errorf("cross join: %d rows, want %d", len(cross), len(l)*len(r))
	}
}

// WHERE keeps true only: false and UNKNOWN both drop the row.
func TestFilter(t *testing.T) {
	rows := []Row{{int64(1), int64(1)}, {int64(1), int64(2)}, {nil, int64(1)}, {int64(3), int64(3)}}
	got, err := Filter(rows, equalCols, rowAt)
	if err != nil {
		t.Fatal(err)
	}
	if want := []Row{{int64(1), int64(1)}, {int64(3), int64(3)}}; !reflect.DeepEqual(got, want) {
		t.Fatalf("Filter = %v, want %v", got, want)
	}
}
