// Package archtest holds the module's dependency rules as tests (tests
// only): design.md §2 draws the layers (cmd -> steps -> sim/fault ->
// sim/world -> {failback, sim/*, fakes/*}), keeps the engine ignorant of
// the simulation (nothing under failback/, tests included, imports sim or
// fakes) and the wire protocol ignorant of SQL (sim/mssql/tds never
// imports tsql or engine). ARCHITECTURE.md explains them; the tests here
// fail the build the day an import breaks one.
package archtest
