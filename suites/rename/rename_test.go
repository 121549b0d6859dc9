package rename_test

import (
	"testing"

	"github.com/layercheck/layercheck/frontend/spec"
	"github.com/layercheck/layercheck/suites/rename"
)

func TestMain(m *testing.M)   { spec.Main(m) }
func TestRename(t *testing.T) { spec.Run(t, "rename") }

var _ = spec.Scenarios("rename", rename.Scenarios())
