package topology

import (
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
)

// maxSecretBytes stops a passwordFile that points at the wrong file (a log,
// /dev/zero) from being read whole.
const maxSecretBytes = 64 << 10

// ErrSecret marks a secret that cannot be resolved.
var ErrSecret = errors.New("topology: secret unavailable")

// SecretRef names where a secret lives; it never holds the secret itself,
// so printing a Topology or a SecretRef can never leak one.
type SecretRef struct {
	Env  string // environment variable name
	File string // path of a file holding the secret
	// Key is the key path the reference came from, for messages.
	Key string
}

// String describes the reference, never the value.
func (s SecretRef) String() string {
	switch {
	case s.Env != "":
		return "env:" + s.Env
	case s.File != "":
		return "file:" + s.File
	}
	return "none"
}

// Resolve reads the secret: the environment variable's value, or the file's
// content without its trailing newline. Errors name the variable or file,
// never the content.
func (s SecretRef) Resolve() (string, error) {
	where := s.Key
	if where == "" {
		where = "secret"
	}
	switch {
	case s.Env != "" && s.File != "":
		return "", fmt.Errorf("%s: both passwordEnv and passwordFile are set: %w", where, ErrSecret)
	case s.Env != "":
		v, ok := os.LookupEnv(s.Env)
		if !ok {
			return "", fmt.Errorf("%s: environment variable %s is not set: %w", where, s.Env, ErrSecret)
		}
		if v == "" {
			return "", fmt.Errorf("%s: environment variable %s is empty: %w", where, s.Env, ErrSecret)
		}
		return v, nil
	case s.File != "":
		f, err := os.Open(s.File)
		if err != nil {
			// *PathError names the file and the OS reason only.
			return "", fmt.Errorf("%s: %w: %w", where, err, ErrSecret)
		}
		defer f.Close()
		b, err := io.ReadAll(io.LimitReader(f, maxSecretBytes+1))
		if err != nil {
			return "", fmt.Errorf("%s: read %s: %w", where, s.File, ErrSecret)
		}
		if len(b) > maxSecretBytes {
			return "", fmt.Errorf("%s: %s is larger than %d bytes, not a password file: %w", where, s.File, maxSecretBytes, ErrSecret)
		}
		v := strings.TrimRight(string(b), "\r\n")
		if v == "" {
			return "", fmt.Errorf("%s: %s is empty: %w", where, s.File, ErrSecret)
		}
		return v, nil
	}
	return "", fmt.Errorf("%s: neither passwordEnv nor passwordFile is set: %w", where, ErrSecret)
}
