package clienttest

import (
	"context"
	"os/exec"
	"strings"
	"testing"
	"time"
)

// debianPython is the interpreter Debian's python3-* modules import under
// (a pyenv python3 first on PATH does not see them).
const debianPython = "/usr/bin/python3"

// requirePython skips unless /usr/bin/python3 imports module.
func requirePython(t *testing.T, module, pkg string) {
	t.Helper()
	if err := exec.Command(debianPython, "-c", "import "+module).Run(); err != nil {
		t.Skipf("%s cannot import %s (apt-get install %s): %v", debianPython, module, pkg, err)
	}
}

// runScript runs a client script against a fresh instance: argv host,
// port, sa password. Its output is logged; a non-zero exit fails the test.
func runScript(t *testing.T, name string, args ...string) string {
	t.Helper()
	srv := Start(t)
	host, port := HostPort(t, srv)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, name, append(args, host, port, Password)...)
	out, err := cmd.CombinedOutput()
	t.Logf("%s %s:\n%s", name, strings.Join(args, " "), out)
	if ctx.Err() != nil {
		t.Fatalf("%s hung", strings.Join(args, " "))
	}
	if err != nil {
		t.Fatalf("%s: %v", strings.Join(args, " "), err)
	}
	return string(out)
}

// TestPyODBC drives the simulator with pyodbc over the FreeTDS ODBC driver
// (Debian python3-pyodbc, tdsodbc, unixodbc).
func TestPyODBC(t *testing.T) {
	requirePython(t, "pyodbc", "python3-pyodbc")
	out, err := exec.Command(debianPython, "-c", "import pyodbc; print(pyodbc.drivers())").Output()
	if err != nil || !strings.Contains(string(out), "FreeTDS") {
		t.Skipf("no FreeTDS ODBC driver registered (apt-get install tdsodbc): %s %v", out, err)
	}
	runScript(t, debianPython, "testdata/pyodbc_check.py")
}

// TestPymssql drives the simulator with pymssql (Debian python3-pymssql,
// FreeTDS DB-Library underneath).
func TestPymssql(t *testing.T) {
	requirePython(t, "pymssql", "python3-pymssql")
	runScript(t, debianPython, "testdata/pymssql_check.py")
}

// TestDBDSybase drives the simulator with Perl DBI and DBD::Sybase (Debian
// libdbd-sybase-perl, FreeTDS CT-Library underneath).
func TestDBDSybase(t *testing.T) {
	if err := exec.Command("perl", "-MDBD::Sybase", "-e", "1").Run(); err != nil {
		t.Skipf("perl cannot load DBD::Sybase (apt-get install libdbd-sybase-perl): %v", err)
	}
	runScript(t, "perl", "testdata/dbd_sybase_check.pl")
}
