package idmap_test

import (
	"testing"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/layercheck/layercheck/frontend/spec"
	"github.com/layercheck/layercheck/suites/idmap"
)

func TestMain(m *testing.M) { spec.Main(m) }

func TestIdmap(t *testing.T) {
	RegisterFailHandler(Fail)
	RunSpecs(t, "idmap")
}

var _ = spec.Scenarios("idmap", idmap.Scenarios())
