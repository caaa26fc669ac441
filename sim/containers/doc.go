// Package containers runs the simulated world's instances as Docker
// containers through testcontainers-go: the SQL Server simulator and the fake
// Lync endpoint from images built here FROM scratch (no registry needed), or
// the real mcr.microsoft.com/mssql/server image where it is present locally.
//
// The world uses it when it is asked for a containers target: one Network per
// world, StartSQL and StartLyncFake per instance, Network.Gateway for the
// link forwarders its containers reach the other data centers through (a
// cut link stops exactly that traffic there; CutDataCenter and
// RestoreDataCenter take a whole data center off the network instead). Everything else in the project runs
// without Docker; this package answers ErrNoDocker quickly when no daemon
// answers, so callers can fall back or skip.
//
// Ryuk, testcontainers' reaper, is an image that has to be pulled, which this
// project cannot assume. The package therefore sets
// TESTCONTAINERS_RYUK_DISABLED=true at init when the variable is unset (the
// library reads it once, on its first call, and only the exact lowercase
// "true" disables the reaper). Callers that import testcontainers themselves
// should set it before their first call too. Without the reaper nothing
// removes leftovers of a killed process: every Start has a matching
// Terminate, and tests register them with t.Cleanup.
package containers

import "os"

// RyukEnv is the variable testcontainers-go reads to disable its reaper.
const RyukEnv = "TESTCONTAINERS_RYUK_DISABLED"

func init() {
	if _, set := os.LookupEnv(RyukEnv); !set {
		os.Setenv(RyukEnv, "true")
	}
}
