package media

import (
	"errors"
	"fmt"
	"time"
)

// Sentinels callers branch on with errors.Is; each typed error below unwraps
// to one of them.
var (
	// ErrNotMedia: the file is not a backup media file (random bytes, text,
	// a truncated or damaged media header). The engine raises 3241.
	ErrNotMedia = errors.New("media: not a backup media file")
	// ErrCorrupt: a set's header, frames, payload or trailer are damaged.
	ErrCorrupt = errors.New("media: backup set is damaged")
	// ErrNoSuchSet: FILE = n names no complete set.
	ErrNoSuchSet = errors.New("media: no backup set at that position")
	// ErrMediaName: MEDIANAME differs from the media's name (SQL Server error
	// 4037 "The user-specified MEDIANAME ... does not match the MEDIANAME ...";
	// number recalled, not in the project reference).
	ErrMediaName = errors.New("media: media name mismatch")
	// ErrUnexpired: INIT would overwrite a set whose ExpirationDate is in the
	// future (SQL Server error 4030, recalled, not in the project reference).
	ErrUnexpired = errors.New("media: backup set has not expired")
)

// FormatError reports a file that is not (or no longer) a media file.
type FormatError struct {
	Path   string
	Offset int64
	Reason string
}

func (e *FormatError) Error() string {
	return fmt.Sprintf("media: %s is not a backup media file (offset %d): %s", e.Path, e.Offset, e.Reason)
}

func (e *FormatError) Unwrap() error { return ErrNotMedia }

// CorruptionError reports damage inside backup set Position.
type CorruptionError struct {
	Path     string
	Position int
	Offset   int64
	Reason   string
}

func (e *CorruptionError) Error() string {
	return fmt.Sprintf("media: backup set %d of %s is damaged at offset %d: %s", e.Position, e.Path, e.Offset, e.Reason)
}

func (e *CorruptionError) Unwrap() error { return ErrCorrupt }

// PositionError reports a FILE = n that names no complete set.
type PositionError struct {
	Path       string
	Position   int
	Count      int  // complete sets in the file
	Incomplete bool // Position is the unfinished last set
}

func (e *PositionError) Error() string {
	if e.Incomplete {
		return fmt.Sprintf("media: backup set %d of %s is incomplete (%d complete sets)", e.Position, e.Path, e.Count)
	}
	return fmt.Sprintf("media: %s has no backup set %d (%d sets)", e.Path, e.Position, e.Count)
}

func (e *PositionError) Unwrap() error { return ErrNoSuchSet }

// MediaNameError reports a MEDIANAME that does not match the media.
type MediaNameError struct {
	Path string
	Want string // MEDIANAME given
	Have string // name on the media
}

func (e *MediaNameError) Error() string {
	return fmt.Sprintf("media: MEDIANAME %q does not match %q of %s", e.Want, e.Have, e.Path)
}

func (e *MediaNameError) Unwrap() error { return ErrMediaName }

// UnexpiredError reports INIT over a set that has not expired.
type UnexpiredError struct {
	Path     string
	Position int
	Expires  time.Time
}

func (e *UnexpiredError) Error() string {
	return fmt.Sprintf("media: backup set %d of %s expires on %s and cannot be overwritten", e.Position, e.Path, e.Expires.Format(time.DateTime))
}

func (e *UnexpiredError) Unwrap() error { return ErrUnexpired }
