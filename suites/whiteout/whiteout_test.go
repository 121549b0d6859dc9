package whiteout_test

import (
	"testing"

	"github.com/layercheck/layercheck/frontend/spec"
	"github.com/layercheck/layercheck/suites/whiteout"
)

func TestMain(m *testing.M)     { spec.Main(m) }
func TestWhiteout(t *testing.T) { spec.Run(t, "whiteout") }

// The suite runs with layers built through the backend and written
// directly in each of its on-disk formats.
var _ = spec.Scenarios("whiteout", whiteout.Scenarios(), "mount", "extract", "extract-xattr")
