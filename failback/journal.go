package failback

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"sync"
)

// Journal appends events as JSON lines to a file and fsyncs each one, so a
// crash (kill -9, power loss) at any point leaves every event that the
// engine acted on readable; at worst the last line is torn, and ReadJournal
// ignores a torn last line.
type Journal struct {
	mu     sync.Mutex
	f      *os.File
	redact []string
	err    error
}

// OpenJournal opens (creating or appending to) the journal at path. Every
// secret value in redact is replaced by *** in anything written, as a last
// line of defence: statements never carry passwords in the first place.
func OpenJournal(path string, redact ...string) (*Journal, error) {
	f, err := os.OpenFile(path, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
	if err != nil {
		return nil, fmt.Errorf("journal: %w", err)
	}
	if err := setAsideTornTail(f, path); err != nil {
		f.Close()
		return nil, fmt.Errorf("journal: %w", err)
	}
	var rs []string
	for _, s := range redact {
		if s != "" {
			rs = append(rs, s)
		}
	}
	return &Journal{f: f, redact: rs}, nil
}

// setAsideTornTail removes a torn last line (bytes after the last newline,
// left by a crash mid-write) from the journal, appending it to path+".torn"
// first so nothing is lost. Ending it with a newline instead would leave a
// bad line in the middle once the next event is appended, and every later
// read (the next resume, the evidence) would refuse the journal as
// corrupt. The engine never acted on a torn event: Write returns only after
// the whole line is synced.
func setAsideTornTail(f *os.File, path string) error {
	st, err := f.Stat()
	if err != nil || st.Size() == 0 {
		return err
	}
	r, err := os.Open(path)
	if err != nil {
		return err
	}
	defer r.Close()
	// Read back from the end in blocks until a newline (or the start).
	const block = 64 << 10
	end := st.Size()
	cut := int64(0)
	for off := end; off > 0 && cut == 0; {
		n := int64(block)
		if off < n {
			n = off
		}
		off -= n
		b := make([]byte, n)
		if _, err := r.ReadAt(b, off); err != nil {
			return err
		}
		if i := bytes.LastIndexByte(b, '\n'); i >= 0 {
			cut = off + int64(i) + 1
		}
	}
	if cut == end {
		return nil
	}
	tail := make([]byte, end-cut)
	if _, err := r.ReadAt(tail, cut); err != nil {
		return err
	}
	aside, err := os.OpenFile(path+".torn", os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
	if err != nil {
		return err
	}
	if _, err := aside.Write(append(tail, '\n')); err != nil {
		aside.Close()
		return err
	}
	if err := aside.Sync(); err != nil {
		aside.Close()
		return err
	}
	if err := aside.Close(); err != nil {
		return err
	}
	if err := f.Truncate(cut); err != nil {
		return err
	}
	return f.Sync()
}

// Write appends one event and syncs it to disk. The first error sticks:
// an engine that cannot journal must stop.
func (j *Journal) Write(e Event) error {
	j.mu.Lock()
	defer j.mu.Unlock()
	if j.err != nil {
		return j.err
	}
	b, err := json.Marshal(e)
	if err != nil {
		j.err = fmt.Errorf("journal: encode: %w", err)
		return j.err
	}
	line := string(b)
	for _, s := range j.redact {
		// Secrets appear JSON-escaped in the line.
		esc, _ := json.Marshal(s)
		line = strings.ReplaceAll(line, strings.Trim(string(esc), `"`), "***")
	}
	if _, err := j.f.WriteString(line + "\n"); err != nil {
		j.err = fmt.Errorf("journal: write: %w", err)
		return j.err
	}
	if err := j.f.Sync(); err != nil {
		j.err = fmt.Errorf("journal: sync: %w", err)
		return j.err
	}
	return nil
}

// Close closes the file.
func (j *Journal) Close() error {
	j.mu.Lock()
	defer j.mu.Unlock()
	return j.f.Close()
}

// ErrJournalCorrupt is wrapped when a line other than the last is not an
// event: that is not a crash but damage, and resuming from it is unsafe.
var ErrJournalCorrupt = errors.New("journal corrupt")

// maxJournalLine bounds one line (a log-shipping batch is a few KB).
const maxJournalLine = 4 << 20

// ReadJournal reads every event. A last line that does not parse (torn by
// a crash) is ignored and reported by torn; any other bad line is an error
// naming its line number. Blank lines are skipped.
func ReadJournal(r io.Reader) (events []Event, torn bool, err error) {
	br := bufio.NewReaderSize(r, 64<<10)
	var pending []byte // a bad line, kept until we know whether it is last
	pendingLine := 0
	line := 0
	for {
		b, rerr := br.ReadBytes('\n')
		if len(b) > maxJournalLine {
			return events, false, fmt.Errorf("%w: line %d is longer than %d bytes", ErrJournalCorrupt, line+1, maxJournalLine)
		}
		if len(b) > 0 {
			line++
			complete := b[len(b)-1] == '\n'
			t := bytes.TrimSpace(b)
			if len(t) > 0 {
				if pending != nil {
					return events, false, fmt.Errorf("%w: line %d: %s", ErrJournalCorrupt, pendingLine, pending)
				}
				var e Event
				if jerr := json.Unmarshal(t, &e); jerr != nil || e.Kind == "" {
					if !complete {
						return events, true, nil
					}
					pending, pendingLine = describeBad(t, jerr), line
				} else {
					events = append(events, e)
				}
			}
		}
		if rerr == io.EOF {
			break
		}
		if rerr != nil {
			return events, false, fmt.Errorf("journal: read: %w", rerr)
		}
	}
	if pending != nil {
		return events, true, nil
	}
	return events, false, nil
}

func describeBad(b []byte, err error) []byte {
	if err == nil {
		return []byte("event without kind")
	}
	return []byte(err.Error())
}

// ReadJournalFile reads the journal at path.
func ReadJournalFile(path string) ([]Event, bool, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, false, fmt.Errorf("journal: %w", err)
	}
	defer f.Close()
	return ReadJournal(f)
}
