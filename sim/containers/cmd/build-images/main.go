// Command build-images builds the harness's local container images
// (pchat-harness/mssqlsim:dev, pchat-harness/lyncfake:dev) FROM scratch from
// this module's sources, reusing an image whose content is unchanged, and
// optionally writes the rehearsal lab's env files with random passwords.
//
//	go run ./sim/containers/cmd/build-images [-v] [-force] [-lab-env DIR] [-no-images]
//
// Exit codes: 0 done, 1 a build failed, 3 usage.
package main

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"
	"time"

	"github.com/pchatdr/harness/sim/containers"
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

func run(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("build-images", flag.ContinueOnError)
	fs.SetOutput(stderr)
	verbose := fs.Bool("v", false, "show the docker build output")
	force := fs.Bool("force", false, "build even when an image with the same content exists")
	labEnv := fs.String("lab-env", "", "write DIR/sql.env and DIR/lync.env with random passwords when missing")
	noImages := fs.Bool("no-images", false, "do not build images (with -lab-env)")
	if err := fs.Parse(args); err != nil {
		return 3
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "build-images: unexpected argument %q\n", fs.Arg(0))
		return 3
	}
	if *labEnv != "" {
		if err := writeLabEnv(*labEnv, stdout); err != nil {
			fmt.Fprintln(stderr, "build-images:", err)
			return 1
		}
	}
	if *noImages {
		return 0
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	ctx, cancel := context.WithTimeout(ctx, 15*time.Minute)
	defer cancel()
	d, err := containers.Connect(ctx)
	if err != nil {
		fmt.Fprintln(stderr, "build-images:", err)
		return 1
	}
	defer d.Close()
	for _, spec := range []containers.ImageSpec{containers.SimulatorSpec, containers.LyncFakeSpec} {
		img, err := d.BuildImage(ctx, spec, containers.BuildOptions{Log: stdout, Verbose: *verbose, Force: *force})
		if err != nil {
			fmt.Fprintln(stderr, "build-images:", err)
			return 1
		}
		fmt.Fprintf(stdout, "%s = %s (%.19s)\n", img.Ref, img.HashRef, img.ID)
	}
	return 0
}

// writeLabEnv writes the compose lab's env files, each only if missing, so
// passwords are never typed into the compose file or a command line.
func writeLabEnv(dir string, out io.Writer) error {
	sa, err := password()
	if err != nil {
		return err
	}
	lync, err := password()
	if err != nil {
		return err
	}
	files := []struct{ name, body string }{
		{"sql.env", "MSSQL_SA_PASSWORD=" + sa + "\nMSSQLSIM_SA_PASSWORD=" + sa + "\n"},
		{"lync.env", "LYNCFAKE_PASSWORD=" + lync + "\n"},
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("lab env: %w", err)
	}
	for _, f := range files {
		p := filepath.Join(dir, f.name)
		fh, err := os.OpenFile(p, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
		if errors.Is(err, os.ErrExist) {
			fmt.Fprintf(out, "%s exists, kept\n", p)
			continue
		}
		if err != nil {
			return fmt.Errorf("lab env: %w", err)
		}
		_, err = io.WriteString(fh, f.body)
		if cerr := fh.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			return fmt.Errorf("lab env %s: %w", p, err)
		}
		fmt.Fprintf(out, "%s written\n", p)
	}
	return nil
}

// password meets SQL Server's policy (three of: upper, lower, digit,
// symbol; at least 8 characters) whatever the random part holds.
func password() (string, error) {
	var b [18]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", fmt.Errorf("random password: %w", err)
	}
	return "Pc1-" + base64.RawURLEncoding.EncodeToString(b[:]), nil
}
