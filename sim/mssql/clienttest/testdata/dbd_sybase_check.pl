#!/usr/bin/perl
# Perl DBI with DBD::Sybase (FreeTDS CT-Library) against the simulator.
# argv: host port password. One line per check; exits non-zero on failure.
use strict;
use warnings;
use DBI;

my ($host, $port, $password) = @ARGV;
$ENV{TDSVER} = '7.4';

sub check {
    my ($ok, $msg) = @_;
    if (!$ok) { print "FAIL: $msg\n"; exit 1; }
    print "ok: $msg\n";
}

my $dbh = DBI->connect("dbi:Sybase:host=$host;port=$port;database=master", 'sa', $password,
    { RaiseError => 0, PrintError => 0, AutoCommit => 1, syb_show_sql => 0 })
    or do { print "FAIL: connect: $DBI::errstr\n"; exit 1 };

$dbh->do('CREATE TABLE dbo.perl_t (id int PRIMARY KEY, s varchar(20))') or check(0, "create: $DBI::errstr");

# Placeholders: DBD::Sybase prepares them with sp_prepare, whose statement
# text FreeTDS sends as NTEXT. NTEXT parameters decode (issue 14, h14b);
# sp_prepare is not modelled and is refused with 2812; anything else is a
# failure.
my $ins = $dbh->prepare('INSERT INTO dbo.perl_t VALUES (?, ?)');
if ($ins) {
    $ins->execute(3, 'three') or check(0, "insert with placeholders: $DBI::errstr");
    print "ok: placeholders\n";
    $dbh->do('DELETE FROM dbo.perl_t WHERE id = 3') or check(0, "delete: $DBI::errstr");
} else {
    check($DBI::err == 2812 && $DBI::errstr =~ /sp_prepare/, "placeholders refused only for sp_prepare (2812): $DBI::errstr");
}

$dbh->do("INSERT INTO dbo.perl_t VALUES (1, 'one')") or check(0, "insert 1: $DBI::errstr");
$dbh->begin_work or check(0, "begin_work: $DBI::errstr");
$dbh->do("INSERT INTO dbo.perl_t VALUES (2, 'two')") or check(0, "insert 2: $DBI::errstr");
$dbh->rollback or check(0, "rollback: $DBI::errstr");

my $rows = $dbh->selectall_arrayref('SELECT id, s FROM dbo.perl_t ORDER BY id');
check(defined $rows, "select: " . ($DBI::errstr // ''));
check(@$rows == 1 && $rows->[0][0] == 1 && $rows->[0][1] eq 'one', 'rollback removed row 2, row 1 stays');

my $r = $dbh->do('SELECT * FROM dbo.no_such_table');
check(!defined $r && $DBI::err == 208, "a missing table raises error 208: " . ($DBI::errstr // ''));
$dbh->disconnect;
