package sqlerr

import (
	"strings"
	"testing"
)

func TestNewFormats(t *testing.T) {
	tests := []struct {
		num   int32
		args  []any
		class uint8
		want  string
	}{
		{102, []any{"FROM"}, 15, "Incorrect syntax near 'FROM'."},
		{156, []any{"SELECT"}, 15, "Incorrect syntax near the keyword 'SELECT'."},
		{137, []any{"@x"}, 15, `Must declare the scalar variable "@x".`},
		{208, []any{"dbo.t"}, 16, "Invalid object name 'dbo.t'."},
		{4104, []any{"a.b"}, 16, `The multi-part identifier "a.b" could not be bound.`},
		{2627, []any{"PRIMARY KEY", "PK_t", "dbo.t", "(1)"}, 14,
			"Violation of PRIMARY KEY constraint 'PK_t'. Cannot insert duplicate key in object 'dbo.t'. The duplicate key value is (1)."},
		{515, []any{"c", "db.dbo.t", "INSERT"}, 16,
			"Cannot insert the value NULL into column 'c', table 'db.dbo.t'; column does not allow nulls. INSERT fails."},
		{245, []any{"varchar", "abc", "int"}, 16, "Conversion failed when converting the varchar value 'abc' to data type int."},
		{220, []any{"tinyint", int64(300)}, 16, "Arithmetic overflow error for data type tinyint, value = 300."},
		{232, []any{"int", 1e10}, 16, "Arithmetic overflow error for type int, value = 10000000000.000000."},
		{3701, []any{"table", "t"}, 11, "Cannot drop the table 't', because it does not exist or you do not have permission."},
		{15151, []any{"alter", "login", "bob"}, 16, "Cannot alter the login 'bob', because it does not exist or you do not have permission."},
		{3014, []any{"BACKUP DATABASE", int64(330), 0, 5, 512, 40}, 10,
			"BACKUP DATABASE successfully processed 330 pages in 0.005 seconds (512.040 MB/sec)."},
		{3211, []any{10}, 10, "10 percent processed."},
		{6101, []any{0, 32767}, 16, "Process ID 0 is not a valid process ID. Choose a number between 1 and 32767."},
		{18456, []any{"sa"}, 14, "Login failed for user 'sa'."},
		{18456, []any{"sa", " Reason: Password did not match."}, 14, "Login failed for user 'sa'. Reason: Password did not match."},
		{50000, []any{"custom 100%"}, 16, "custom 100%"},
		{14262, []any{"@job_name", "LSBackup_mgc"}, 16, "The specified @job_name ('LSBackup_mgc') does not exist."},
		{5701, []any{"master"}, 0, "Changed database context to 'master'."},
		{3621, nil, 0, "The statement has been terminated."},
		{99999999, nil, 16, "RAISERROR could not locate entry for error 99999999 in sysmessages."},
	}
	for _, tc := range tests {
		e := New(tc.num, tc.args...)
		if e.Message != tc.want || e.Class != tc.class {
			t.Errorf("New(%d,%v) = %q class %d, want %q class %d", tc.num, tc.args, e.Message, e.Class, tc.want, tc.class)
		}
	}
}

func TestBackupVariants(t *testing.T) {
	for _, op := range []string{"BACKUP DATABASE", "RESTORE DATABASE", "RESTORE LOG", "BACKUP LOG", "VERIFY DATABASE", "RESTORE FILELIST"} {
		e := New(3013, op)
		if want := op + " is terminating abnormally."; e.Message != want || e.Number != 3013 || e.Class != 16 {
			t.Errorf("3013(%s) = %+v, want %q", op, e, want)
		}
	}
}

func TestEveryEntryComplete(t *testing.T) {
	nums := Numbers()
	if len(nums) < 150 {
		t.Fatalf("catalogue has only %d entries", len(nums))
	}
	for _, n := range nums {
		e, ok := Lookup(n)
		if !ok || e.Number != n {
			t.Fatalf("Lookup(%d) = %+v, %v", n, e, ok)
		}
		if strings.TrimSpace(e.Template) == "" {
			t.Errorf("%d: empty template", n)
		}
		if e.Class > 25 || e.State == 0 {
			t.Errorf("%d: class %d state %d", n, e.Class, e.State)
		}
		// Informational messages must be flagged as such and errors not.
		if got := New(n).IsInfo(); got != (e.Class <= 10) {
			t.Errorf("%d: IsInfo %v for class %d", n, got, e.Class)
		}
	}
	// The brief's required numbers are all present.
	for _, n := range []int32{102, 105, 109, 110, 134, 137, 156, 174, 189, 195, 201, 207, 208, 209, 213, 214, 220, 232, 241, 245, 266, 515, 544, 911, 916, 924, 1443, 1801, 2601, 2627, 2628, 2714, 2732, 2812, 3013, 3014, 3211, 3262, 3408, 3621, 3701, 3702, 3902, 3903, 3906, 4035, 4060, 4104, 5011, 5058, 5061, 5701, 5703, 6101, 6104, 6106, 6107, 8101, 8114, 8115, 8120, 8134, 8144, 8145, 8152, 8178, 14262, 14424, 14425, 15151, 18456, 22022, 32001, 32029, 50000} {
		if _, ok := Lookup(n); !ok {
			t.Errorf("missing %d", n)
		}
	}
}

func TestFormatEdgeCases(t *testing.T) {
	tests := []struct {
		tmpl string
		args []any
		want string
	}{
		{"%d.%03d", []any{1, 7}, "1.007"},
		{"a %% b", nil, "a % b"},
		{"%ls and %ls", []any{"x"}, "x and "},
		{"%d", nil, "0"},
		{"%I64d pages", []any{int64(1) << 40}, "1099511627776 pages"},
		{"%5s|%-5s|", []any{"ab", "cd"}, "   ab|cd   |"},
		{"%d", []any{"str"}, "str"},
		{"trailing %", nil, "trailing %"},
		{"%q odd", []any{"x"}, "%q odd"},
		{"%999999999999d", []any{1}, strings.Repeat(" ", 2046) + "1"},
		{"%99999s|", []any{"x"}, strings.Repeat(" ", 2046) + "x|"},
	}
	for _, tc := range tests {
		if got := Format(tc.tmpl, tc.args...); got != tc.want {
			t.Errorf("Format(%q,%v) = %q, want %q", tc.tmpl, tc.args, got, tc.want)
		}
	}
}

func TestWithState(t *testing.T) {
	e := New(18456, "sa")
	s := e.WithState(8)
	if s.State != 8 || e.State != 1 || s.Message != e.Message {
		t.Fatalf("WithState: %+v from %+v", s, e)
	}
}

func FuzzFormat(f *testing.F) {
	f.Add("%.*ls %d %I64d %S_MSG %", "x", int64(3))
	f.Add("%%%-3s%03d", "", int64(-1))
	f.Fuzz(func(t *testing.T, tmpl, s string, n int64) {
		_ = Format(tmpl, s, n)
		_ = Format(tmpl)
	})
}
