package rowset

// JoinKind says which side's unmatched rows a join keeps, padded with
// NULLs: an inner join neither, LEFT the left's, RIGHT the right's, FULL
// both.
type JoinKind struct{ KeepLeft, KeepRight bool }

// Join is a nested-loop join of l (rows of nl columns) and r (nr
// columns): every pair whose combined row on accepts (a nil on accepts
// all: CROSS JOIN), in l's order and then r's, followed by the unmatched
// rows kind keeps. on is UNKNOWN (NULL) as false, as ON is.
func Join(l, r []Row, nl, nr int, kind JoinKind, on *Col, at At) ([]Row, error) {
	var out []Row
	rMatched := make([]bool, len(r))
	for _, lr := range l {
		matched := false
		for j, rr := range r {
			row := make(Row, 0, nl+nr)
			row = append(append(row, lr...), rr...)
			if on != nil {
				ok, err := on.Eval(at(row))
				if err != nil {
					return nil, err
				}
				if ok != true {
					continue
				}
			}
			matched = true
			rMatched[j] = true
			out = append(out, row)
		}
		if !matched && kind.KeepLeft {
			row := make(Row, nl+nr)
			copy(row, lr)
			out = append(out, row)
		}
	}
	if kind.KeepRight {
		for j, rr := range r {
			if !rMatched[j] {
				row := make(Row, nl+nr)
				copy(row[nl:], rr)
				out = append(out, row)
			}
		}
	}
	return out, nil
}

// Filter keeps the rows cond is true for (WHERE, HAVING: UNKNOWN is not
// true).
func Filter(rows []Row, cond Col, at At) ([]Row, error) {
	kept := rows[:0:0]
	for _, r := range rows {
		ok, err := cond.Eval(at(r))
		if err != nil {
			return nil, err
		}
		if ok == true {
			kept = append(kept, r)
		}
	}
	return kept, nil
}
