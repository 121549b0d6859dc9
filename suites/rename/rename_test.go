package rename_test

import (
	"testing"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/layercheck/layercheck/frontend/spec"
	"github.com/layercheck/layercheck/suites/rename"
)

func TestMain(m *testing.M) { spec.Main(m) }

func TestRename(t *testing.T) {
	RegisterFailHandler(Fail)
	RunSpecs(t, "rename")
}

var _ = spec.Scenarios("rename", rename.Scenarios())
