package overlay

import (
	"os"
	"sync"
)

// moduleParams caches the overlay module's parameters
// (/sys/module/overlay/parameters/KEY) for the life of the process. They
// are the module's defaults, fixed while it is loaded; every explanation
// of a finding asks for them (Expectations, KnownIssues), and reading the
// file each time was 7% of a run's CPU.
var moduleParams sync.Map // key -> paramValue

type paramValue struct {
	val string
	ok  bool
}

// moduleParam returns the content of the parameter file key, and whether
// it could be read.
func moduleParam(key string) (string, bool) {
	if v, ok := moduleParams.Load(key); ok {
		pv := v.(paramValue)
		return pv.val, pv.ok
	}
	b, err := os.ReadFile("/sys/module/overlay/parameters/" + key)
	pv := paramValue{val: string(b), ok: err == nil}
	if err == nil || os.IsNotExist(err) {
		// A missing file stays missing while the module is loaded;
		// another error (EINTR, a transient failure) is asked again.
		moduleParams.Store(key, pv)
	}
	return pv.val, pv.ok
}
