package evidence

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
)

// FileMode is the mode of every file of a report folder: evidence is
// meant to be read by others (auditors, CI artefact collectors), and it
// never holds a secret (passwords are masked before anything is written).
const FileMode os.FileMode = 0o644

// The files of a report folder.
const (
	HTMLFile     = "report.html"
	JUnitFile    = "junit.xml"
	EvidenceFile = "evidence.json"
	MetricsFile  = "metrics.prom"
)

// WriteFile writes path atomically (a temporary file in the same folder,
// renamed into place) with FileMode, whatever the umask or the temporary
// file's own mode: a reader never sees half a report, and every file of
// the folder has the same mode.
func WriteFile(path string, write func(io.Writer) error) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+"-*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if err := write(tmp); err != nil {
		tmp.Close()
		return fmt.Errorf("%s: %w", filepath.Base(path), err)
	}
	if err := tmp.Chmod(FileMode); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}

// FixMode gives a file another writer made (godog's formatters,
// Prometheus's textfile) the folder's mode.
func FixMode(path string) error { return os.Chmod(path, FileMode) }

// WriteJSON writes evidence.json: the report's data, which `failback
// history` reads back.
func WriteJSON(path string, rep Report) error {
	return WriteFile(path, func(w io.Writer) error {
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		return enc.Encode(rep)
	})
}

// ReadJSON reads an evidence.json.
func ReadJSON(path string) (Report, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return Report{}, err
	}
	var rep Report
	dec := json.NewDecoder(bytes.NewReader(b))
	if err := dec.Decode(&rep); err != nil {
		return Report{}, fmt.Errorf("%s: not an evidence file: %w", path, err)
	}
	return rep, nil
}

// WriteFolder writes report.html, junit.xml and evidence.json into dir
// (metrics.prom is the caller's: the drill's and the CLI's registries
// differ).
func WriteFolder(dir string, rep Report) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	if err := WriteFile(filepath.Join(dir, HTMLFile), func(w io.Writer) error { return WriteHTML(w, rep) }); err != nil {
		return err
	}
	if err := WriteFile(filepath.Join(dir, JUnitFile), func(w io.Writer) error { return WriteJUnit(w, rep) }); err != nil {
		return err
	}
	return WriteJSON(filepath.Join(dir, EvidenceFile), rep)
}
