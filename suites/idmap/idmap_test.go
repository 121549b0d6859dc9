package idmap_test

import (
	"testing"

	"github.com/layercheck/layercheck/frontend/spec"
	"github.com/layercheck/layercheck/suites/idmap"
)

func TestMain(m *testing.M)  { spec.Main(m) }
func TestIdmap(t *testing.T) { spec.Run(t, "idmap") }

var _ = spec.Scenarios("idmap", idmap.Scenarios())
