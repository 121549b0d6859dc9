// Package suites lists every suite's scenarios, and selects among them
// for every front end (Selection).
package suites

import (
	"github.com/layercheck/layercheck/harness/scenario"
	"github.com/layercheck/layercheck/suites/identity"
	"github.com/layercheck/layercheck/suites/idmap"
	"github.com/layercheck/layercheck/suites/modern"
	"github.com/layercheck/layercheck/suites/openfiles"
	"github.com/layercheck/layercheck/suites/permissions"
	"github.com/layercheck/layercheck/suites/rename"
	"github.com/layercheck/layercheck/suites/whiteout"
)

// All returns every suite's scenarios by suite name.
func All() map[string][]scenario.Scenario {
	return map[string][]scenario.Scenario{
		"permissions": permissions.Scenarios(),
		"whiteout":    whiteout.Scenarios(),
		"rename":      rename.Scenarios(),
		"identity":    identity.Scenarios(),
		"openfiles":   openfiles.Scenarios(),
		"idmap":       idmap.Scenarios(),
		"modern":      modern.Scenarios(),
	}
}

// Names lists the suites in the order they run.
func Names() []string {
	return []string{"permissions", "whiteout", "rename", "openfiles", "identity", "idmap", "modern"}
}
