package mssql_test

import (
	"database/sql"
	"testing"

	"github.com/pchatdr/harness/sim/mssql/enginetest"
)

func TestModuleScripts(t *testing.T) {
	enginetest.Run(t, enginetest.ModuleScripts, func(t *testing.T) *sql.DB {
		return openDB(t, startServer(t, ""), "master")
	})
}

func TestTableVarScripts(t *testing.T) {
	enginetest.Run(t, enginetest.TableVarScripts, func(t *testing.T) *sql.DB {
		return openDB(t, startServer(t, ""), "master")
	})
}

func TestRecursiveCTEScripts(t *testing.T) {
	enginetest.Run(t, enginetest.RecursiveCTEScripts, func(t *testing.T) *sql.DB {
		return openDB(t, startServer(t, ""), "master")
	})
}

func TestConfigScripts(t *testing.T) {
	enginetest.Run(t, enginetest.ConfigScripts, func(t *testing.T) *sql.DB {
		return openDB(t, startServer(t, ""), "master")
	})
}

func TestAgentHelpScripts(t *testing.T) {
	enginetest.Run(t, enginetest.AgentHelpScripts, func(t *testing.T) *sql.DB {
		return openDB(t, startServer(t, ""), "master")
	})
}
