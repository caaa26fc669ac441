package failback

import (
	"fmt"
	"math/big"
	"strings"
)

// LSNs are numeric(25,0): a VLF sequence number times 10^15 plus block and
// slot, which outgrows an int64, so they travel as decimal strings.

// ParseLSN reads a decimal LSN ("" and non-digits are errors).
func ParseLSN(s string) (*big.Int, error) {
	t := strings.TrimSpace(s)
	if t == "" {
		return nil, fmt.Errorf("lsn: empty")
	}
	for _, r := range t {
		if r < '0' || r > '9' {
			return nil, fmt.Errorf("lsn %q: not a decimal number", s)
		}
	}
	n, ok := new(big.Int).SetString(t, 10)
	if !ok {
		return nil, fmt.Errorf("lsn %q: not a decimal number", s)
	}
	return n, nil
}

// CompareLSN compares two decimal LSNs (-1, 0, +1).
func CompareLSN(a, b string) (int, error) {
	x, err := ParseLSN(a)
	if err != nil {
		return 0, err
	}
	y, err := ParseLSN(b)
	if err != nil {
		return 0, err
	}
	return x.Cmp(y), nil
}

// LogApplies says what RESTORE LOG will do with a log backup covering
// [first, last) on a database whose redo point is redo: "applied" when
// last <= redo (SQL Server answers 4326, too early), "gap" when first >
// redo (4305, too recent), "next" otherwise.
func LogApplies(first, last, redo string) (string, error) {
	c, err := CompareLSN(last, redo)
	if err != nil {
		return "", err
	}
	if c <= 0 {
		return "applied", nil
	}
	c, err = CompareLSN(first, redo)
	if err != nil {
		return "", err
	}
	if c > 0 {
		return "gap", nil
	}
	return "next", nil
}
