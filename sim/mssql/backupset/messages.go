package backupset

import (
	"context"
	"errors"
	"fmt"
	"math"
	"strings"
	"time"

	"github.com/pchatdr/harness/sim/mssql/hostfs"
	"github.com/pchatdr/harness/sim/mssql/storage/media"
	"github.com/pchatdr/harness/sqlerr"
)

// What BACKUP and RESTORE print: media errors as SQL Server words them,
// STATS progress and the closing 3014.

// DefaultBackupDir is the instance's default backup folder (bare device
// names land there), as a default SQL Server 2022 install names it.
const DefaultBackupDir = `C:\Program Files\Microsoft SQL Server\MSSQL16.MSSQLSERVER\MSSQL\Backup`

// DevicePath turns a backup device name into the Windows path it means: a
// bare name lives in fs's default backup folder, as in SQL Server.
func DevicePath(fs *hostfs.FS, name string) string {
	if strings.ContainsAny(name, `\/`) || (len(name) >= 2 && name[1] == ':') {
		return name
	}
	dir := fs.DefaultBackupDir()
	if dir == "" {
		dir = DefaultBackupDir
	}
	return hostfs.Join(dir, name)
}

// XPError is how the extended procedures report an OS failure (22048:
// "xp_create_subdir() returned error 5, 'Access is denied.'").
func XPError(proc string, err error) *sqlerr.Error {
	code, text := 0, err.Error()
	if oe, ok := err.(*hostfs.OSError); ok {
		code, text = oe.Code, oe.Text
	}
	return &sqlerr.Error{Number: 22048, Class: 16, State: 1,
		Message: fmt.Sprintf("%s() returned error %d, '%s'", proc, code, text)}
}

// OSErrText renders a host error the way 3201/3202/3203 show it.
func OSErrText(err error) string {
	var oe *hostfs.OSError
	if errors.As(err, &oe) {
		return oe.CodeText()
	}
	return "1117(The request could not be performed because of an I/O device error.)"
}

// Stats sends STATS's "N percent processed." messages (3211) as a copy
// progresses; a nil *Stats (no STATS option) does nothing. Err is the
// first error send returned: the statement ends with it.
type Stats struct {
	send func(*sqlerr.Error) error
	step int
	next int
	Err  error
}

// Progress reports that done of total bytes are copied.
func (r *Stats) Progress(done, total int64) {
	if r == nil || r.step == 0 || total <= 0 || r.Err != nil {
		return
	}
	pct := int(done * 100 / total)
	for r.next <= pct && r.next <= 100 {
		if r.next > 0 {
			if err := r.send(sqlerr.New(sqlerr.PercentProcessed, r.next)); err != nil {
				r.Err = err
				return
			}
		}
		r.next += r.step
	}
}

// NewStats reports every step percent through send (nil for step 0: no
// STATS).
func NewStats(step int, send func(*sqlerr.Error) error) *Stats {
	if step == 0 {
		return nil
	}
	return &Stats{send: send, step: step, next: step}
}

// PagesOf is how many 8 KiB pages n bytes are reported as.
func PagesOf(n int64) int64 { return (n + 8191) / 8192 }

// DoneMessage is 3014's "<verb> successfully processed N pages in s.mmm
// seconds (x.yyy MB/sec)."
func DoneMessage(verb string, pages int64, elapsed time.Duration) *sqlerr.Error {
	secs := elapsed.Seconds()
	if secs < 0.001 {
		secs = 0.001
	}
	mbps := float64(pages) * 8192 / (1024 * 1024) / secs
	ms := int64(math.Round(secs * 1000))
	mb := int64(math.Round(mbps * 1000))
	return sqlerr.New(sqlerr.BackupRestoreProcessed, verb, pages, ms/1000, ms%1000, mb/1000, mb%1000)
}

// MediaWriteError is the SQL Server error for a failure writing device's
// media (3201, 3202, 3266, 4037, 4030...).
func MediaWriteError(device string, err error) error {
	var mn *media.MediaNameError
	var ue *media.UnexpiredError
	var sqlErr *sqlerr.Error
	switch {
	case errors.As(err, &sqlErr):
		return sqlErr
	case errors.As(err, &mn):
		return sqlerr.New(sqlerr.MediaNameMismatch, mn.Want, mn.Have, device)
	case errors.As(err, &ue):
		return sqlerr.New(sqlerr.MediumNotExpired, device, ue.Expires.Format("2006-01-02 15:04:05"))
	case errors.Is(err, media.ErrNotMedia), errors.Is(err, media.ErrCorrupt):
		return sqlerr.New(sqlerr.MediaFamilyMalformed, device)
	case errors.Is(err, context.Canceled), errors.Is(err, context.DeadlineExceeded):
		return err
	}
	return sqlerr.New(sqlerr.BackupDeviceWrite, device, OSErrText(err))
}

// MediaReadError is the SQL Server error for a failure reading device's
// media (3201, 3203, 3241, 3183...).
func MediaReadError(device string, err error) error {
	var pe *media.PositionError
	switch {
	case errors.As(err, &pe):
		if pe.Incomplete {
			return sqlerr.New(sqlerr.BackupDeviceRead, device, "38(Reached the end of the file.)")
		}
		return sqlerr.New(sqlerr.FileIDNotOnDevice, pe.Position, device)
	case errors.Is(err, media.ErrNotMedia):
		return sqlerr.New(sqlerr.MediaFamilyMalformed, device)
	case errors.Is(err, media.ErrCorrupt):
		return sqlerr.New(sqlerr.BackupSetDamaged)
	case errors.Is(err, context.Canceled), errors.Is(err, context.DeadlineExceeded):
		return err
	}
	var sqlErr *sqlerr.Error
	if errors.As(err, &sqlErr) {
		return sqlErr
	}
	return sqlerr.New(sqlerr.BackupDeviceRead, device, OSErrText(err))
}

// PickSet finds FILE = n in c (3206 past the end, 3203 for the set a
// failed backup left unfinished).
func PickSet(device string, c *media.Contents, n int) (media.SetHeader, error) {
	if n >= 1 && n <= len(c.Sets) {
		return c.Sets[n-1], nil
	}
	if c.Incomplete != nil && c.Incomplete.Position == n {
		return media.SetHeader{}, sqlerr.New(sqlerr.BackupDeviceRead, device, "38(Reached the end of the file.)")
	}
	return media.SetHeader{}, sqlerr.New(sqlerr.FileIDNotOnDevice, n, device)
}
