// Command lyncfake serves the fake Lync / Skype for Business management
// endpoint: WinRM at http://ADDR/wsman running powershell.exe with the
// Persistent Chat cmdlets, and GET /state for simulated chat servers.
//
//	lyncfake --listen 127.0.0.1:5985 --topology FILE --user U --password-file F
//
// WinRM is served as a Front End's WinRM service serves it: Negotiate/NTLM
// (NTLMv2 checked against the password; U is DOMAIN\user), Basic off
// (--basic enables it, over HTTPS only), and plain HTTP refused unless
// --allow-unencrypted (WinRM's AllowUnencrypted; use --tls instead). The
// cmdlets follow the topology's pool.product and do their SQL Server work
// on the topology's instances. The password may also come from
// $LYNCFAKE_PASSWORD. It prints one line
// "listening on ADDR" when ready and shuts down cleanly on SIGTERM/SIGINT.
package main

import (
	"context"
	"crypto/tls"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/pchatdr/harness/failback/topology"
	"github.com/pchatdr/harness/fakes/lync"
	"github.com/pchatdr/harness/fakes/lync/pool"
)

type faultFlags []lync.Fault

func (f *faultFlags) String() string { return fmt.Sprint(len(*f)) }

func (f *faultFlags) Set(s string) error {
	ft, err := lync.ParseFault(s)
	if err != nil {
		return err
	}
	*f = append(*f, ft)
	return nil
}

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

func run(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("lyncfake", flag.ContinueOnError)
	fs.SetOutput(stderr)
	listen := fs.String("listen", "127.0.0.1:5985", "address to listen on (loopback)")
	topoPath := fs.String("topology", "", "topology file (YAML)")
	user := fs.String("user", "", `account (DOMAIN\user) WinRM accepts: Negotiate/NTLM, and Basic with --basic`)
	passFile := fs.String("password-file", "", "file holding the password (else $LYNCFAKE_PASSWORD)")
	statePath := fs.String("state", "", "file to persist the pool state in (a restart keeps it)")
	eventsLog := fs.String("events-log", "", "append every event as a JSON line to this file")
	useTLS := fs.Bool("tls", false, "serve HTTPS with a self-signed certificate for 127.0.0.1")
	certFile := fs.String("tls-cert", "", "HTTPS certificate (PEM); with --tls-key")
	keyFile := fs.String("tls-key", "", "HTTPS private key (PEM)")
	caOut := fs.String("tls-ca-out", "", "with --tls: write the self-signed certificate (PEM) here for clients")
	basic := fs.Bool("basic", false, "enable Basic authentication (WinRM's Auth/Basic; HTTPS only)")
	allowUnencrypted := fs.Bool("allow-unencrypted", false, "serve WinRM over plain HTTP (WinRM's AllowUnencrypted; no message encryption: lab use only)")
	receiveWait := fs.Duration("receive-wait", 0, "cap on a Receive long-poll (default: the client's OperationTimeout)")
	var faults faultFlags
	fs.Var(&faults, "fault", "arm a fault: latency:CMDLET:DUR[:N] | fail:CMDLET[:N[:MSG]] | hang:ACTION[:N] | drop:ACTION[:N] | http500:ACTION[:N] (repeatable)")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "lyncfake: unexpected argument %q\n", fs.Arg(0))
		return 2
	}
	if *topoPath == "" || *user == "" {
		fmt.Fprintln(stderr, "lyncfake: --topology and --user are required")
		return 2
	}
	password, err := readPassword(*passFile)
	if err != nil {
		fmt.Fprintf(stderr, "lyncfake: %v\n", err)
		return 2
	}
	topo, err := topology.Load(*topoPath)
	if err != nil {
		fmt.Fprintf(stderr, "lyncfake: %v\n", err)
		return 2
	}
	opts := lync.Options{
		Pool:             pool.FromTopology(topo),
		Users:            map[string]string{*user: password},
		Addr:             *listen,
		TLS:              *useTLS,
		Basic:            *basic,
		AllowUnencrypted: *allowUnencrypted,
		StatePath:        *statePath,
		MaxReceiveWait:   *receiveWait,
		Faults:           faults,
		// The database cmdlets reach the topology's SQL Servers with the
		// instances' connection settings (a password secret each).
		SQL: lync.NewTopologySQL(func() *topology.Topology { return topo }),
	}
	if *basic && !*useTLS && *certFile == "" {
		fmt.Fprintln(stderr, "lyncfake: --basic needs HTTPS (--tls or --tls-cert/--tls-key): Basic sends the password readable")
		return 2
	}
	if *certFile != "" || *keyFile != "" {
		cert, err := tls.LoadX509KeyPair(*certFile, *keyFile)
		if err != nil {
			fmt.Fprintf(stderr, "lyncfake: tls: %v\n", err)
			return 2
		}
		opts.TLSConfig = &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12, NextProtos: []string{"http/1.1"}}
	}
	var logMu sync.Mutex
	if *eventsLog != "" {
		f, err := os.OpenFile(*eventsLog, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
		if err != nil {
			fmt.Fprintf(stderr, "lyncfake: events log: %v\n", err)
			return 2
		}
		defer f.Close()
		enc := json.NewEncoder(f)
		opts.OnEvent = func(e pool.Event) {
			logMu.Lock()
			defer logMu.Unlock()
			_ = enc.Encode(e)
		}
	}
	srv, err := lync.Start(opts)
	if err != nil {
		fmt.Fprintf(stderr, "lyncfake: %v\n", err)
		return 1
	}
	if *caOut != "" && srv.CertificatePEM() != nil {
		if err := os.WriteFile(*caOut, srv.CertificatePEM(), 0o644); err != nil {
			srv.Close()
			fmt.Fprintf(stderr, "lyncfake: tls-ca-out: %v\n", err)
			return 1
		}
	}
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, os.Interrupt)
	defer stop()
	fmt.Fprintf(stdout, "listening on %s\n", strings.TrimPrefix(strings.TrimPrefix(srv.URL, "http://"), "https://"))
	<-ctx.Done()
	done := make(chan struct{})
	go func() { srv.Close(); close(done) }()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		fmt.Fprintln(stderr, "lyncfake: shutdown timed out")
		return 1
	}
	return 0
}

// readPassword takes the file first, then the environment. Trailing line
// ends are trimmed (files written by echo have one).
func readPassword(path string) (string, error) {
	if path != "" {
		raw, err := os.ReadFile(path)
		if err != nil {
			return "", fmt.Errorf("password file: %w", err)
		}
		p := strings.TrimRight(string(raw), "\r\n")
		if p == "" {
			return "", fmt.Errorf("password file %s is empty", path)
		}
		return p, nil
	}
	if p, ok := os.LookupEnv("LYNCFAKE_PASSWORD"); ok && p != "" {
		return p, nil
	}
	return "", errors.New("no password: give --password-file or set LYNCFAKE_PASSWORD")
}
