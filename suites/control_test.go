package suites_test

import (
	"os"
	"testing"

	"github.com/layercheck/layercheck/frontend/driver"
	"github.com/layercheck/layercheck/harness/backend/control"
)

func TestMain(m *testing.M) { os.Exit(driver.Main(m)) }

// TestControl runs every scenario of every suite on the control backend, a
// plain directory that stores its layers in overlay's format: each must
// pass with no finding at all, expected or not, or be skipped with the
// control backend's reason. A failure here is a bug of the harness or of
// a scenario, not of any filesystem (see harness/backend/control).
func TestControl(t *testing.T) {
	driver.TestBackend(t, control.New(), driver.Depth(3))
}
