package permissions_test

import (
	"testing"

	"github.com/layercheck/layercheck/frontend/spec"
	"github.com/layercheck/layercheck/suites/permissions"
)

func TestMain(m *testing.M)        { spec.Main(m) }
func TestPermissions(t *testing.T) { spec.Run(t, "permissions") }

var _ = spec.Scenarios("permissions", permissions.Scenarios())
