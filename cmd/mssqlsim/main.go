// Command mssqlsim runs the SQL Server simulator as a standalone server: for
// FreeTDS and other clients, for crash tests that kill a real process, and as
// the entrypoint of the simulator's container image.
//
//	mssqlsim --listen 127.0.0.1:1433 --data DIR --name SERVERNAME --sa-password-file F
//
// The sa password comes from --sa-password-file or MSSQLSIM_SA_PASSWORD,
// never from a flag. It prints one line "listening on ADDR" when ready and
// shuts down cleanly (checkpointing every database) on SIGTERM or SIGINT.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log"
	"os"
	"os/signal"
	"strings"
	"syscall"

	"github.com/pchatdr/harness/sim/mssql"
	"github.com/pchatdr/harness/sim/mssql/engine"
	"github.com/pchatdr/harness/sim/tlscert"
)

func main() {
	if err := run(os.Args[1:], os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "mssqlsim:", err)
		var ue usageError
		if errors.As(err, &ue) {
			os.Exit(3)
		}
		os.Exit(1)
	}
}

type usageError struct{ error }

func run(args []string, stdout, stderr io.Writer) error {
	// Signals first: a supervisor may send SIGTERM the moment it reads
	// "listening on", and that must be a clean shutdown, not a kill.
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, syscall.SIGINT)
	defer stop()
	fs := flag.NewFlagSet("mssqlsim", flag.ContinueOnError)
	fs.SetOutput(stderr)
	listen := fs.String("listen", "127.0.0.1:1433", "address to listen on")
	data := fs.String("data", "", "data folder (required; a restart on the same folder keeps every committed row)")
	name := fs.String("name", "SIMSQL", "server name (@@SERVERNAME)")
	pwFile := fs.String("sa-password-file", "", "file holding the sa password (or set MSSQLSIM_SA_PASSWORD)")
	svc := fs.String("service-account", `NT Service\MSSQLSERVER`, "SQL Server service account (sys.dm_server_services)")
	agent := fs.String("agent-account", `NT Service\SQLSERVERAGENT`, "SQL Server Agent service account")
	agentRunning := fs.Bool("agent", true, "SQL Server Agent is running")
	tlsCert := fs.String("tls-cert", "", "PEM certificate (chain) the server presents for TDS encryption; without it a self-signed one is made at start, as SQL Server does")
	tlsKey := fs.String("tls-key", "", "PEM private key of --tls-cert")
	tlsCertOut := fs.String("tls-cert-out", "", "write the certificate presented (PEM) to this file, for clients to trust")
	forceEnc := fs.Bool("force-encryption", false, "SQL Server's Force Encryption: every connection encrypted, clients that cannot encrypt refused")
	fileOpts := addFileFlags(fs)
	mirrorOpts := addMirrorFlags(fs)
	domainOpts := addDomainFlags(fs)
	if err := fs.Parse(args); err != nil {
		return usageError{err}
	}
	if fs.NArg() > 0 {
		return usageError{fmt.Errorf("unexpected arguments: %s", strings.Join(fs.Args(), " "))}
	}
	if *data == "" {
		return usageError{errors.New("--data is required")}
	}
	password, err := saPassword(*pwFile)
	if err != nil {
		return usageError{err}
	}
	files, err := fileOpts.config()
	if err != nil {
		return usageError{err}
	}
	defer fileOpts.close()
	if (*tlsCert == "") != (*tlsKey == "") {
		return usageError{errors.New("--tls-cert and --tls-key go together")}
	}
	var cert *tlscert.Certificate
	if *tlsCert != "" {
		c, err := tlscert.Load(*tlsCert, *tlsKey)
		if err != nil {
			return usageError{err}
		}
		cert = &c
	}
	windows, err := domainOpts.server(*name)
	if err != nil {
		return usageError{err}
	}
	logger := log.New(stderr, "mssqlsim: ", log.LstdFlags)
	ecfg := engine.Config{
		Name: *name, DataDir: *data, SAPassword: password,
		ServiceAccount: *svc, AgentAccount: *agent, AgentRunning: *agentRunning,
		Files:          files,
		Logf:           logger.Printf,
		WindowsLogins:  domainOpts.logins,
		SysadminLogins: domainOpts.sysadmins,
	}
	if err := mirrorOpts.apply(&ecfg); err != nil {
		return usageError{err}
	}
	srv, err := mssql.Start(mssql.Config{
		Listen:          *listen,
		Engine:          ecfg,
		Logf:            logger.Printf,
		Certificate:     cert,
		ForceEncryption: *forceEnc,
		Windows:         windows,
	})
	if err != nil {
		return err
	}
	if *tlsCertOut != "" {
		if err := os.WriteFile(*tlsCertOut, srv.CertificatePEM(), 0o644); err != nil {
			srv.Close()
			return fmt.Errorf("--tls-cert-out: %w", err)
		}
	}
	fmt.Fprintf(stdout, "listening on %s\n", srv.Addr())
	<-ctx.Done()
	logger.Printf("shutting down")
	return srv.Close()
}

// saPassword reads the sa password from a file or the environment; flags
// would show it in process listings.
func saPassword(file string) (string, error) {
	if file != "" {
		b, err := os.ReadFile(file)
		if err != nil {
			return "", fmt.Errorf("sa password file: %w", err)
		}
		pw := strings.TrimRight(string(b), "\r\n")
		if pw == "" {
			return "", fmt.Errorf("sa password file %s is empty", file)
		}
		return pw, nil
	}
	if pw := os.Getenv("MSSQLSIM_SA_PASSWORD"); pw != "" {
		return pw, nil
	}
	return "", errors.New("no sa password: use --sa-password-file or MSSQLSIM_SA_PASSWORD")
}
