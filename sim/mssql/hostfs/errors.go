package hostfs

import (
	"errors"
	"fmt"
	"io/fs"
	"syscall"
)

// Windows system error codes the simulator reports.
const (
	ErrFileNotFound     = 2
	ErrPathNotFound     = 3
	ErrAccessDenied     = 5
	ErrNotSameDevice    = 17
	ErrSharingViolation = 32
	ErrBadNetPath       = 53
	ErrNetNameDeleted   = 64
	ErrDiskFull         = 112
	ErrInvalidName      = 123
	ErrDirNotEmpty      = 145
	ErrAlreadyExists    = 183
	ErrIODevice         = 1117
)

var winText = map[int]string{
	ErrFileNotFound:     "The system cannot find the file specified.",
	ErrPathNotFound:     "The system cannot find the path specified.",
	ErrAccessDenied:     "Access is denied.",
	ErrNotSameDevice:    "The system cannot move the file to a different disk drive.",
	ErrSharingViolation: "The process cannot access the file because it is being used by another process.",
	ErrBadNetPath:       "The network path was not found.",
	ErrNetNameDeleted:   "The specified network name is no longer available.",
	ErrDiskFull:         "There is not enough space on the disk.",
	ErrInvalidName:      "The filename, directory name, or volume label syntax is incorrect.",
	ErrDirNotEmpty:      "The directory is not empty.",
	ErrAlreadyExists:    "Cannot create a file when that file already exists.",
	ErrIODevice:         "The request could not be performed because of an I/O device error.",
}

// OSError is a failed file operation as Windows reports it.
//
// Error() renders SQL Server's wording, `Operating system error 5(Access is
// denied.).`; CodeText() is the `5(Access is denied.)` part that fills the
// %ls of 3201 "Cannot open backup device '%ls'. Operating system error %ls."
type OSError struct {
	Op   string // open, create, stat, remove, rename, mkdir, readdir, write, read
	Path string // the Windows path as given
	Code int
	Text string
	Err  error // the host error behind it, if any
}

func (e *OSError) Error() string { return "Operating system error " + e.CodeText() + "." }

// CodeText is "N(text)".
func (e *OSError) CodeText() string { return fmt.Sprintf("%d(%s)", e.Code, e.Text) }

func (e *OSError) Unwrap() error { return e.Err }

// Is lets callers test with the io/fs sentinels.
func (e *OSError) Is(target error) bool {
	switch target {
	case fs.ErrNotExist:
		return e.Code == ErrFileNotFound || e.Code == ErrPathNotFound || e.Code == ErrBadNetPath
	case fs.ErrPermission:
		return e.Code == ErrAccessDenied
	case fs.ErrExist:
		return e.Code == ErrAlreadyExists
	}
	return false
}

func osErr(op, path string, code int, cause error) *OSError {
	return &OSError{Op: op, Path: path, Code: code, Text: winText[code], Err: cause}
}

// Code returns the Windows code of err, 0 when it carries none.
func Code(err error) int {
	var oe *OSError
	if errors.As(err, &oe) {
		return oe.Code
	}
	return 0
}

// hostCode maps a host error to the nearest Windows code; missing is the
// code to use for "does not exist" (2 or 3, which the caller knows).
func hostCode(err error, missing int) int {
	switch {
	case errors.Is(err, syscall.ENOTEMPTY): // before ErrExist, which it also matches
		return ErrDirNotEmpty
	case errors.Is(err, fs.ErrNotExist):
		return missing
	case errors.Is(err, fs.ErrPermission):
		return ErrAccessDenied
	case errors.Is(err, fs.ErrExist):
		return ErrAlreadyExists
	case errors.Is(err, syscall.ENOSPC), errors.Is(err, syscall.EDQUOT):
		return ErrDiskFull
	case errors.Is(err, syscall.ENOTDIR):
		return ErrPathNotFound
	case errors.Is(err, syscall.EISDIR):
		return ErrAccessDenied
	case errors.Is(err, syscall.EXDEV):
		return ErrNotSameDevice
	}
	return ErrIODevice
}
