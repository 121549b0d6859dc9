package main

import (
	"flag"

	"github.com/layercheck/layercheck/harness"
	"github.com/layercheck/layercheck/harness/idmap"
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
