package modern_test

import (
	"testing"

	"github.com/layercheck/layercheck/frontend/spec"
	"github.com/layercheck/layercheck/suites/modern"
)

func TestMain(m *testing.M)   { spec.Main(m) }
func TestModern(t *testing.T) { spec.Run(t, "modern") }

var _ = spec.Scenarios("modern", modern.Scenarios())
