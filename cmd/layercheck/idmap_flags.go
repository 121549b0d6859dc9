package main

import (
	"flag"

	"github.com/layercheck/layercheck/harness"
	"github.com/layercheck/layercheck/harness/idmap"
	"github.com/layercheck/layercheck/harness/sandbox"
)

// registerIdmap defines --idmap, the idmapped-layers dimension of a run.
func registerIdmap(fs *flag.FlagSet, into *string) {
	fs.StringVar(into, "idmap", "", "attach layers as idmapped mounts: `"+idmap.Usage+"`")
}

// parseIdmap reads --idmap; "" is none. Its error is a one-line usage
// error (exit 2).
func parseIdmap(s string) (*idmap.Spec, error) {
	if s == "" {
		return nil, nil
	}
	spec, err := idmap.Parse(s)
	if err != nil {
		return nil, &harness.UsageError{Msg: err.Error()}
	}
	return &spec, nil
}

// rootlessIdmap widens the rootless namespace so that it holds the
// mapping's host ids: there the harness's own namespace is the "host".
func rootlessIdmap(spec *idmap.Spec) {
	if spec != nil && int(spec.Mapping.HostEnd()) > sandbox.RootlessIDs {
		sandbox.RootlessIDs = int(spec.Mapping.HostEnd())
	}
}

// idmapTarget is the mapping of a run as its target line and JSON give it,
// "lowers 0:100000:65536" ("" without --idmap).
func idmapTarget(cfg harness.Config) string {
	if cfg.Idmap == nil {
		return ""
	}
	t := string(cfg.IdmapLayers) + " " + cfg.Idmap.Mapping().String()
	if cfg.IdmapByBackend() {
		t += " (by " + cfg.Backend.Name() + "'s own mapping options)"
	}
	return t
}

// withIdmap records spec, the mapping a fuzz run used, in its scenario
// files' dimensions, so that replay attaches the layers the same way.
func withIdmap(d dims, spec *idmap.Spec) dims {
	if spec != nil {
		d.Idmap = spec.String()
	}
	return d
}
