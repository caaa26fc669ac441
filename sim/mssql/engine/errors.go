package engine

import (
	"errors"

	"github.com/pchatdr/harness/sim/mssql/sqlerr"
)

// localMessages backs messages the shared catalogue (sqlerr) may not hold
// yet; sqlerr wins when it knows the number.
var localMessages = map[int32]sqlerr.Entry{
	226:   {Number: 226, Class: 16, State: 6, Template: "%ls statement not allowed within multi-statement transaction."},
	596:   {Number: 596, Class: 21, State: 1, Template: "Cannot continue the execution because the session is in the kill state."},
	1205:  {Number: 1205, Class: 13, State: 51, Template: "Transaction (Process ID %d) was deadlocked on %.*ls resources with another process and has been chosen as the deadlock victim. Rerun the transaction."},
	3701:  {Number: 3701, Class: 11, State: 5, Template: "Cannot drop the %S_MSG '%.*ls', because it does not exist or you do not have permission."},
	3702:  {Number: 3702, Class: 16, State: 4, Template: "Cannot drop database \"%.*ls\" because it is currently in use."},
	3902:  {Number: 3902, Class: 16, State: 1, Template: "The COMMIT TRANSACTION request has no corresponding BEGIN TRANSACTION."},
	3903:  {Number: 3903, Class: 16, State: 1, Template: "The ROLLBACK TRANSACTION request has no corresponding BEGIN TRANSACTION."},
	2714:  {Number: 2714, Class: 16, State: 6, Template: "There is already an object named '%.*ls' in the database."},
	6104:  {Number: 6104, Class: 16, State: 1, Template: "Cannot use KILL to kill your own process."},
	6106:  {Number: 6106, Class: 16, State: 2, Template: "Process ID %d is not an active process ID."},
	5701:  {Number: 5701, Class: 0, State: 2, Template: "Changed database context to '%.*ls'."},
	512:   {Number: 512, Class: 16, State: 1, Template: "Subquery returned more than 1 value. This is not permitted when the subquery follows =, !=, <, <= , >, >= or when the subquery is used as an expression."},
	145:   {Number: 145, Class: 15, State: 1, Template: "ORDER BY items must appear in the select list if SELECT DISTINCT is specified."},
	1013:  {Number: 1013, Class: 16, State: 1, Template: "The objects \"%.*ls\" and \"%.*ls\" in the FROM clause have duplicate exposed names. Use correlation names to distinguish them."},
	116:   {Number: 116, Class: 16, State: 1, Template: "Only one expression can be specified in the select list when the subquery is not introduced with EXISTS."},
	130:   {Number: 130, Class: 16, State: 1, Template: "Cannot perform an aggregate function on an expression containing an aggregate or a subquery."},
	147:   {Number: 147, Class: 15, State: 1, Template: "An aggregate may not appear in the WHERE clause unless it is in a subquery contained in a HAVING clause or a select list, and the column being aggregated is an outer reference."},
	1087:  {Number: 1087, Class: 15, State: 2, Template: "Must declare the table variable \"%.*ls\"."},
	1911:  {Number: 1911, Class: 16, State: 1, Template: "Column name '%.*ls' does not exist in the target table or view."},
	8111:  {Number: 8111, Class: 16, State: 1, Template: "Cannot define PRIMARY KEY constraint on nullable column in table '%.*ls'."},
	1750:  {Number: 1750, Class: 16, State: 0, Template: "Could not create constraint or index. See previous errors."},
	1779:  {Number: 1779, Class: 16, State: 0, Template: "Table '%.*ls' already has a primary key defined on it."},
	5069:  {Number: 5069, Class: 16, State: 1, Template: "ALTER DATABASE statement failed."},
	5070:  {Number: 5070, Class: 16, State: 2, Template: "Database state cannot be changed while other users are using the database '%.*ls'"},
	5011:  {Number: 5011, Class: 14, State: 7, Template: "User does not have permission to alter database '%.*ls', the database does not exist, or the database is not in a state that allows access checks."},
	9001:  {Number: 9001, Class: 21, State: 1, Template: "The log for database '%.*ls' is not available. Check the operating system error log for related error messages. Resolve any errors and restart the database."},
	4060:  {Number: 4060, Class: 11, State: 1, Template: "Cannot open database \"%.*ls\" requested by the login. The login failed."},
	18456: {Number: 18456, Class: 14, State: 1, Template: "Login failed for user '%.*ls'."},
	2760:  {Number: 2760, Class: 16, State: 1, Template: "The specified schema name \"%.*ls\" either does not exist or you do not have permission to use it."},
	4121:  {Number: 4121, Class: 16, State: 1, Template: "Cannot find either column \"%.*ls\" or the user-defined function or aggregate \"%.*ls\", or the name is ambiguous."},
	217:   {Number: 217, Class: 16, State: 1, Template: "Maximum stored procedure, function, trigger, or view nesting level exceeded (limit %d)."},
	4145:  {Number: 4145, Class: 15, State: 1, Template: "An expression of non-boolean type specified in a context where a condition is expected, near '%.*ls'."},
	1002:  {Number: 1002, Class: 16, State: 1, Template: "Line %d: Specified scale %d is invalid."},
	40000: {Number: 40000, Class: 16, State: 1, Template: "%ls"},
	8127:  {Number: 8127, Class: 16, State: 1, Template: "Column \"%.*ls\" is invalid in the ORDER BY clause because it is not contained in either an aggregate function or the GROUP BY clause."},
	108:   {Number: 108, Class: 15, State: 1, Template: "The ORDER BY position number %ld is out of range of the number of items in the select list."},
	1033:  {Number: 1033, Class: 15, State: 1, Template: "The ORDER BY clause is invalid in views, inline functions, derived tables, subqueries, and common table expressions, unless TOP, OFFSET or FOR XML is also specified."},
	8155:  {Number: 8155, Class: 16, State: 2, Template: "No column name was specified for column %d of '%.*ls'."},
	1060:  {Number: 1060, Class: 15, State: 1, Template: "The number of rows in the TOP clause must be an integer."},
	127:   {Number: 127, Class: 15, State: 1, Template: "A TOP N or FETCH rows count value may not be negative."},
	3728:  {Number: 3728, Class: 16, State: 1, Template: "'%.*ls' is not a constraint."},
	2741:  {Number: 2741, Class: 16, State: 1, Template: "SET DATEFORMAT date order '%.*ls' is invalid."},
	2732:  {Number: 2732, Class: 16, State: 1, Template: "Error number %ld is invalid. The number must be from %ld through %ld and it cannot be 50000."},
	2754:  {Number: 2754, Class: 16, State: 1, Template: "Error severity levels greater than 18 can only be specified by members of the sysadmin role, using the WITH LOG option."},
	18054: {Number: 18054, Class: 16, State: 1, Template: "Error %d, severity %d, state %d was raised, but no message with that error number was found in sys.messages. If error is larger than 50000, make sure the user-defined message is added using sp_addmessage."},
	148:   {Number: 148, Class: 15, State: 1, Template: "Incorrect time syntax in time string '%.*ls' used with WAITFOR."},
	3609:  {Number: 3609, Class: 16, State: 1, Template: "The transaction ended in the trigger. The batch has been aborted."},
	15151: {Number: 15151, Class: 16, State: 1, Template: "Cannot %S_MSG the %S_MSG '%.*ls', because it does not exist or you do not have permission."},
	3726:  {Number: 3726, Class: 16, State: 1, Template: "Could not drop object '%.*ls' because it is referenced by a FOREIGN KEY constraint."},
	1802:  {Number: 1802, Class: 16, State: 4, Template: "CREATE DATABASE failed. Some file names listed could not be created. Check related errors."},
	102:   {Number: 102, Class: 15, State: 1, Template: "Incorrect syntax near '%.*ls'."},
	156:   {Number: 156, Class: 15, State: 1, Template: "Incorrect syntax near the keyword '%.*ls'."},
	2809:  {Number: 2809, Class: 18, State: 1, Template: "The request for %S_MSG '%.*ls' failed because '%.*ls' is a %S_MSG object."},
	3906:  {Number: 3906, Class: 16, State: 2, Template: "Failed to update database \"%.*ls\" because the database is read-only."},
	6401:  {Number: 6401, Class: 16, State: 1, Template: "Cannot roll back %.*ls. No transaction or savepoint of that name was found."},
	205:   {Number: 205, Class: 16, State: 1, Template: "All queries combined using a UNION, INTERSECT or EXCEPT operator must have an equal number of expressions in their target lists."},
	104:   {Number: 104, Class: 16, State: 1, Template: "ORDER BY items must appear in the select list if the statement contains a UNION, INTERSECT or EXCEPT operator."},
	263:   {Number: 263, Class: 16, State: 1, Template: "Must specify table to select from."},
	141:   {Number: 141, Class: 15, State: 1, Template: "A SELECT statement that assigns a value to a variable must not be combined with data-retrieval operations."},
	7202:  {Number: 7202, Class: 11, State: 2, Template: "Could not find server '%.*ls' in sys.servers. Verify that the correct server name was specified. If necessary, execute the stored procedure sp_addlinkedserver to add the server to sys.servers."},
	10742: {Number: 10742, Class: 16, State: 1, Template: "The offset specified in a OFFSET clause may not be negative."},
	10744: {Number: 10744, Class: 16, State: 1, Template: "The number of rows provided for a FETCH clause must be greater then zero."},
	10709: {Number: 10709, Class: 16, State: 1, Template: "The number of columns for each row in a table value constructor must be the same."},
	536:   {Number: 536, Class: 16, State: 1, Template: "Invalid length parameter passed to the %ls function."},
	537:   {Number: 537, Class: 16, State: 3, Template: "Invalid length parameter passed to the LEFT or SUBSTRING function."},
	535:   {Number: 535, Class: 16, State: 0, Template: "The %.*ls function resulted in an overflow. The number of dateparts separating two date/time instances is too large. Try to use %.*ls with a less precise datepart."},
	155:   {Number: 155, Class: 15, State: 1, Template: "'%.*ls' is not a recognized %ls option."},
	4127:  {Number: 4127, Class: 16, State: 1, Template: "At least one of the arguments to COALESCE must be an expression that is not the NULL constant."},
	10704: {Number: 10704, Class: 15, State: 1, Template: "To rethrow an error, a THROW statement must be used inside a CATCH block. Insert the THROW statement inside a CATCH block, or add error parameters to the THROW statement."},
	35100: {Number: 35100, Class: 16, State: 10, Template: "Error number %ld in the THROW statement is outside the valid range. Specify an error number in the valid range of 50000 to 2147483647."},
	6112:  {Number: 6112, Class: 16, State: 1, Template: "Process ID %.*ls is not a valid process ID. Choose a number between 1 and 2048"},
	6120:  {Number: 6120, Class: 10, State: 1, Template: "Status report cannot be obtained. Rollback operation for Process ID is not in progress."},
	257:   {Number: 257, Class: 16, State: 3, Template: "Implicit conversion from data type %ls to %ls is not allowed. Use the CONVERT function to run this query."},
	264:   {Number: 264, Class: 16, State: 1, Template: "The column name '%.*ls' is specified more than once in the SET clause or column list of an INSERT. A column cannot be assigned more than one value in the same clause. Modify the clause to make sure that a column is updated only once. If this statement updates or inserts columns into a view, column aliasing can conceal the duplication in your code."},
	120:   {Number: 120, Class: 15, State: 1, Template: "The select list for the INSERT statement contains fewer items than the insert list. The number of SELECT values must match the number of INSERT columns."},
	121:   {Number: 121, Class: 15, State: 1, Template: "The select list for the INSERT statement contains more items than the insert list. The number of SELECT values must match the number of INSERT columns."},
	259:   {Number: 259, Class: 16, State: 1, Template: "Ad hoc updates to system catalogs are not allowed."},
	8102:  {Number: 8102, Class: 16, State: 1, Template: "Cannot update identity column '%.*ls'."},
	2749:  {Number: 2749, Class: 16, State: 2, Template: "Identity column '%.*ls' must be of data type int, bigint, smallint, tinyint, or decimal or numeric with a scale of 0, unencrypted, and constrained to be nonnullable."},
	8147:  {Number: 8147, Class: 16, State: 1, Template: "Could not create IDENTITY attribute on nullable column '%.*ls', table '%.*ls'."},
	1754:  {Number: 1754, Class: 16, State: 0, Template: "Defaults cannot be created on columns with an IDENTITY attribute. Table '%.*ls', column '%.*ls'."},
	8110:  {Number: 8110, Class: 16, State: 0, Template: "Cannot add multiple PRIMARY KEY constraints to table '%.*ls'."},
	3708:  {Number: 3708, Class: 16, State: 5, Template: "Cannot drop the %S_MSG '%.*ls' because it is a system %S_MSG."},
	5058:  {Number: 5058, Class: 16, State: 1, Template: "Option '%.*ls' cannot be set in database '%.*ls'."},
	5052:  {Number: 5052, Class: 16, State: 1, Template: "%ls is not permitted while a database is in the Restoring state."},
	3930:  {Number: 3930, Class: 16, State: 1, Template: "The current transaction cannot be committed and cannot support operations that write to the log file. Roll back the transaction."},
	545:   {Number: 545, Class: 16, State: 1, Template: "Explicit value must be specified for identity column in table '%.*ls' either when IDENTITY_INSERT is set to ON or when a replication user is inserting into a NOT FOR REPLICATION identity column."},
	8106:  {Number: 8106, Class: 16, State: 1, Template: "Table '%.*ls' does not have the identity property. Cannot perform SET operation."},
	8107:  {Number: 8107, Class: 16, State: 1, Template: "IDENTITY_INSERT is already ON for table '%.*ls.%.*ls.%.*ls'. Cannot perform SET operation for table '%.*ls'."},
	1088:  {Number: 1088, Class: 16, State: 12, Template: "Cannot find the object \"%.*ls\" because it does not exist or you do not have permissions."},
	1913:  {Number: 1913, Class: 16, State: 1, Template: "The operation failed because an index or statistics with name '%.*ls' already exists on table '%.*ls'."},
	1505:  {Number: 1505, Class: 16, State: 1, Template: "The CREATE UNIQUE INDEX statement terminated because a duplicate key was found for the object name '%.*ls' and the index name '%.*ls'. The duplicate key value is %ls."},
	1222:  {Number: 1222, Class: 16, State: 45, Template: "Lock request time out period exceeded."},
	179:   {Number: 179, Class: 15, State: 1, Template: "Cannot use the OUTPUT option when passing a constant to a stored procedure."},
	4108:  {Number: 4108, Class: 15, State: 1, Template: "Windowed functions can only appear in the SELECT or ORDER BY clauses."},
	4112:  {Number: 4112, Class: 15, State: 1, Template: "The function '%.*ls' must have an OVER clause with ORDER BY."},
	10759: {Number: 10759, Class: 15, State: 1, Template: "Use of DISTINCT is not allowed with the OVER clause."},
	628:   {Number: 628, Class: 16, State: 0, Template: "Cannot issue SAVE TRANSACTION when there is no active transaction."},
	8180:  {Number: 8180, Class: 16, State: 1, Template: "Statement(s) could not be prepared."},
}

// newErr builds SQL Server message number with its catalogue severity and
// state. It never fails: an unknown number becomes sqlerr's 2758 complaint.
func newErr(n int32, args ...any) *Error {
	if _, ok := sqlerr.Lookup(n); ok {
		return sqlerr.New(n, args...)
	}
	if e, ok := localMessages[n]; ok {
		st := e.State
		if st == 0 {
			st = 1
		}
		return &Error{Number: n, Class: e.Class, State: st, Message: sqlerr.Format(e.Template, args...)}
	}
	return sqlerr.New(n, args...)
}

func errDeadlock(t *Tx) error {
	spid := 0
	if t.sess != nil {
		spid = t.sess.id
	}
	return newErr(1205, spid, "lock")
}

// ErrSessionKilled is returned by Batch, RPC and the transaction requests of
// a session that was killed (KILL, ALTER DATABASE ... WITH ROLLBACK
// IMMEDIATE) or closed: the transport must close the connection.
var ErrSessionKilled = errors.New("engine: session killed")

// asSQLError extracts a SQL Server message from err.
func asSQLError(err error) (*Error, bool) {
	var e *Error
	if errors.As(err, &e) {
		return e, true
	}
	return nil, false
}
