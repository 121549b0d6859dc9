package permissions_test

import (
	"testing"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/layercheck/layercheck/suites/permissions"
	"github.com/layercheck/layercheck/suites/spec"
)

func TestMain(m *testing.M) { spec.Main(m) }

func TestPermissions(t *testing.T) {
	RegisterFailHandler(Fail)
	RunSpecs(t, "permissions")
}

var _ = spec.Scenarios("permissions", permissions.Scenarios())
