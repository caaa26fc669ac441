package engine

import (
	"errors"
	"sort"
)

func sortSessions(ss []*Session) {
	sort.Slice(ss, func(i, j int) bool { return ss[i].id < ss[j].id })
}

func asErr[T error](err error, target *T) bool { return errors.As(err, target) }
