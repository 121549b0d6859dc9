package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/layercheck/layercheck/harness/layout"
)

// TestLayoutFlag: a bad --layout is a usage error (exit 2), a layout this
// machine cannot run an environment error (exit 3) with the reason, and
// neither leaves anything behind.
func TestLayoutFlag(t *testing.T) {
	RequireRoot(t)
	scratch := t.TempDir()
	code, _, stderr := layercheck(t, "--layout", "zfs", "--scratch", scratch, "--quiet")
	if code != 2 || !strings.Contains(stderr, "--layout") || !strings.Contains(stderr, `unknown layout "zfs"`) {
		t.Errorf("--layout zfs: exit %d, %q", code, stderr)
	}
	code, _, stderr = layercheck(t, "--layout", "perlayer", "--keep", "--scratch", scratch, "--quiet", "--depth", "2", "--focus", "^rename/rename-lower-dir$")
	if code != 2 || !strings.Contains(stderr, "--layout") {
		t.Errorf("--layout perlayer --keep: exit %d, %q", code, stderr)
	}
	if why := layout.Available(layout.NFS); why != "" {
		code, _, stderr = layercheck(t, "--layout", "nfs", "--scratch", scratch, "--quiet", "--depth", "2")
		if code != 3 || !strings.Contains(stderr, "NFS") {
			t.Errorf("--layout nfs (%s): exit %d, %q; want 3 with the reason", why, code, stderr)
		}
	}
	assertNothingLeft(t, scratch)
}

// TestLayoutRecordedAndClean: a perlayer run with xino=auto records its
// layout in the JSON target and shows no inode finding (overlayfs.rst's
// table promises every property with xino), while without xino the same
// scenario's inode findings are all expected by the table.
func TestLayoutRecordedAndClean(t *testing.T) {
	RequireRoot(t)
	for _, c := range []struct {
		options  string
		expected bool
	}{{"xino=auto", false}, {"xino=off", true}} {
		scratch := t.TempDir()
		out := filepath.Join(t.TempDir(), "r.json")
		code, stdout, stderr := layercheck(t, "--layout", "perlayer", "--options", c.options, "--depth", "2", "--suite", "permissions",
			"--focus", "^permissions/chown-and-back", "--json", out, "--scratch", scratch, "--quiet")
		var r struct {
			Target struct {
				Layout string `json:"layout"`
			} `json:"target"`
			Scenarios []struct {
				Verdict  string
				Findings []struct {
					Kind, Path, Field, Merged string
					ExpectedBy                string `json:"expected_by"`
				}
			} `json:"scenarios"`
		}
		b, err := os.ReadFile(out)
		if err != nil {
			t.Fatalf("%s: exit %d\n%s\n%s", c.options, code, stdout, stderr)
		}
		if err := json.Unmarshal(b, &r); err != nil {
			t.Fatal(err)
		}
		if r.Target.Layout != "perlayer" || len(r.Scenarios) == 0 {
			t.Fatalf("%s: target %+v, %d scenarios", c.options, r.Target, len(r.Scenarios))
		}
		inode := 0
		var findings []struct {
			Kind, Path, Field, Merged string
			ExpectedBy                string `json:"expected_by"`
		}
		for _, s := range r.Scenarios {
			findings = append(findings, s.Findings...)
		}
		for _, f := range findings {
			if f.Kind != "inode" {
				continue
			}
			inode++
			if !c.expected || !strings.Contains(f.ExpectedBy, "Inode properties") {
				t.Errorf("%s: %+v", c.options, f)
			}
		}
		if c.expected && inode == 0 {
			t.Errorf("%s: layers on their own tmpfs without xino showed no inode finding (st_dev of lower files)", c.options)
		}
		assertNothingLeft(t, scratch)
	}
}

// TestMatrixTargetLayout: NAME[:OPTS]@LAYOUT splits off the layout; an
// exec: template keeps its '@'.
func TestMatrixTargetLayout(t *testing.T) {
	for in, want := range map[string][2]string{
		"overlay@perlayer":           {"overlay", "perlayer"},
		"overlay:xino=auto@perlayer": {"overlay:xino=auto", "perlayer"},
		"fuse-overlayfs":             {"fuse-overlayfs", ""},
		"exec:mount -o a@b {target}": {"exec:mount -o a@b {target}", ""},
	} {
		b, l := splitLayout(in)
		if b != want[0] || l != want[1] {
			t.Errorf("%q: %q, %q; want %q", in, b, l, want)
		}
	}
	ts, err := parseTargets("overlay:xino=auto@perlayer,unionfs-fuse", "")
	if err != nil || len(ts) != 2 || ts[0].Layout != layout.PerLayer || ts[1].Layout != layout.SameFS || ts[0].Backend.Options() != "xino=auto" {
		t.Fatalf("parseTargets: %v %+v", err, ts)
	}
	if _, err := parseTargets("overlay@zfs", ""); err == nil {
		t.Fatal("overlay@zfs accepted")
	}
}
