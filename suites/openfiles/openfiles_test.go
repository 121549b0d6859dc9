package openfiles_test

import (
	"testing"

	"github.com/layercheck/layercheck/frontend/spec"
	"github.com/layercheck/layercheck/suites/openfiles"
)

func TestMain(m *testing.M)      { spec.Main(m) }
func TestOpenfiles(t *testing.T) { spec.Run(t, "openfiles") }

var _ = spec.Scenarios("openfiles", openfiles.Scenarios())
