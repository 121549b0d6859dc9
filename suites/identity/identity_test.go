package identity_test

import (
	"testing"

	"github.com/layercheck/layercheck/frontend/spec"
	"github.com/layercheck/layercheck/suites/identity"
)

func TestMain(m *testing.M)     { spec.Main(m) }
func TestIdentity(t *testing.T) { spec.Run(t, "identity") }

var _ = spec.Scenarios("identity", identity.Scenarios())
