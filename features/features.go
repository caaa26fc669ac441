// Package features embeds the Gherkin scenarios so the drill binary carries
// them: an operator runs `drill` on a rehearsal host without the source tree.
package features

import "embed"

// FS holds every .feature file of this folder.
//
//go:embed *.feature
var FS embed.FS
