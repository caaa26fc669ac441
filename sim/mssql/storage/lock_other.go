//go:build !unix

package storage

import "os"

// lockDir is a no-op where flock is unavailable; callers must not open one
// directory twice.
func lockDir(dir string) (*os.File, error) { return nil, nil }

func unlockDir(f *os.File) error { return nil }
