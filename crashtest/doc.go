// Package crashtest holds the crash matrix of the failback engine (tests
// only): the real `failback` binary, run as its own process against a
// simulated world brought to the pre-failback state, is SIGKILLed at every
// step boundary and at seeded points inside steps, and has SQL instances
// and the management endpoint restarted under it; `failback resume` must
// then finish with the same end state as an uninterrupted run, no
// acknowledged message lost, and the destructive restore over the primary
// applied exactly once.
//
// It lives outside failback/ because it drives the engine inside a
// simulated world: nothing under failback/, tests included, imports the
// simulator or the fakes (design.md §2; deps_test.go enforces it).
package crashtest
